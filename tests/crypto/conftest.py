from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import crypto

HEADER: dict[str, Any] = {
    "id": "r-1",
    "type": "incident",
    "stage": "flash",
    "area": "CD6102",
    "severity": "extreme",
    "tlp": "amber+strict",
    "originator": "org-a",
}
BODY = b'{"narrative": "Enl\xc3\xa8vement signal\xc3\xa9 au PK 12"}'


@pytest.fixture(scope="module")
def orgs() -> dict[str, crypto.OrganisationKeys]:
    return {name: crypto.OrganisationKeys.generate() for name in ("org-a", "org-b", "org-c")}


@pytest.fixture
def seal(
    orgs: dict[str, crypto.OrganisationKeys],
) -> Callable[..., crypto.SealedReport]:
    def _seal(
        header: dict[str, Any] | None = None,
        body: bytes = BODY,
        recipients: tuple[str, ...] = ("org-a", "org-b"),
    ) -> crypto.SealedReport:
        return crypto.seal_report(
            header or HEADER,
            body,
            signer=orgs["org-a"],
            recipients={rid: orgs[rid].public for rid in recipients},
        )

    return _seal
