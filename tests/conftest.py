"""Suite-wide fixtures.

`--db` chooses the database the hub tests run on (sqlite or postgresql); the crypto and
policy tests do not touch a database and ignore it.
"""

from collections.abc import Iterator

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--db",
        action="store",
        default="sqlite",
        choices=("sqlite", "postgresql"),
        help="database the hub tests run on",
    )


@pytest.fixture(autouse=True, scope="session")
def _insecure_argon2() -> Iterator[None]:
    """Weaken Argon2id for the test run only (SecureDrop's `insecure_scrypt` habit).

    Production parameters cost ~0.3 s and 128 MiB per derivation; hundreds of logins in the
    suite would take minutes. The parameters travel inside every locked blob, so blobs made
    here still open with exactly the code that runs in production.
    """
    from crypto import passphrase

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(passphrase, "DEFAULT_PARAMS", passphrase.INSECURE_TEST_PARAMS)
        yield
