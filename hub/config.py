"""One place for the hub's configuration: environment variables prefixed `SLTHUB_`."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

# Values that people paste from examples; refusing them outside demo mode stops a
# documentation snippet from becoming a production secret.
PLACEHOLDER_SECRETS = frozenset({"", "changeme", "change-me", "secret", "placeholder", "demo"})
MIN_SECRET_LENGTH = 32
HUB_KEYS_FILE = "hub-keys"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SLTHUB_", extra="ignore")

    database_url: str = "sqlite:///var/hub.db"
    base_url: str = "http://127.0.0.1:8000"
    smtp_url: str | None = None
    sms_gateway: str | None = None
    policy_file: Path | None = None
    data_dir: Path = Path("var")
    # Where `slthub backup`/`restore` find pg_dump, pg_restore and psql when the ones from
    # `pg_config --bindir` or PATH are older than the server (several versions installed).
    pg_bindir: Path | None = None
    # Keys the HMAC of CSRF tokens. Not a key that opens anything stored.
    secret_key: SecretStr | None = None
    demo: bool = False

    session_hours: int = 12
    login_window_minutes: int = 15
    login_max_failures_per_account: int = 5
    login_max_failures_per_address: int = 20

    @property
    def https(self) -> bool:
        return urlsplit(self.base_url).scheme == "https"

    @property
    def hub_keys_path(self) -> Path:
        return self.data_dir / HUB_KEYS_FILE

    def missing_secrets(self) -> list[str]:
        """What must be set before the hub may serve outside demo mode, named for a person."""
        if self.demo:
            return []
        missing = []
        value = self.secret_key.get_secret_value() if self.secret_key else ""
        if value.strip().lower() in PLACEHOLDER_SECRETS or len(value) < MIN_SECRET_LENGTH:
            missing.append(
                f"SLTHUB_SECRET_KEY (at least {MIN_SECRET_LENGTH} random characters, "
                "e.g. from `python -c 'import secrets; print(secrets.token_urlsafe(48))'`)"
            )
        if not self.hub_keys_path.exists():
            missing.append(f"the hub's keys at {self.hub_keys_path} (run `slthub init`)")
        return missing
