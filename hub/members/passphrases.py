"""What the hub accepts as a passphrase.

Length does most of the work (NIST SP 800-63B: a minimum length and a check against known
breached or common values, no composition rules). The list is small and bundled so that
the check needs no network.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

from hub.errors import InvalidInput
from hub.i18n import gettext as _

MIN_LENGTH = 12
MAX_LENGTH = 1024


@cache
def _common() -> frozenset[str]:
    text = (resources.files("hub.members") / "common-passwords.txt").read_text("utf-8")
    return frozenset(
        line.strip().lower() for line in text.splitlines() if line.strip() and line[0] != "#"
    )


def _normal(value: str) -> str:
    return "".join(value.lower().split())


def check_passphrase(passphrase: str, *, email: str | None = None, field: str = "password") -> None:
    if len(passphrase) < MIN_LENGTH:
        raise InvalidInput(
            _("Use at least %(n)d characters; a few words you will remember work well.")
            % {"n": MIN_LENGTH},
            field=field,
        )
    if len(passphrase) > MAX_LENGTH:
        raise InvalidInput(_("This passphrase is too long."), field=field)
    normal = _normal(passphrase)
    local = _normal(email.split("@")[0]) if email else None
    if normal in _common() or len(set(normal)) < 4 or (local and normal == local):
        raise InvalidInput(
            _("This passphrase is too common or too easy to guess; choose another."),
            field=field,
        )
