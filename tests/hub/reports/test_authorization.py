"""The authorization matrix: every report and share-request route × role × relation to the
report → the expected status. Each cell runs against fresh state (a new report, a new share
request), so destructive routes do not depend on the order of the cells.

Relations: the originator's focal point and liaison, a recipient's focal point, liaison and
coordinator, an approved organisation that is not a recipient, a pending organisation, a
suspended one, and no token at all.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from hub.actors import CONSOLE
from hub.members.models import Role
from hub.organisations import service as organisations
from tests.hub.reports.factories import API, flash, member_of, party, world
from tests.hub.reports.test_attachments import PNG, attach

ACTORS = (
    "originator_fp",
    "originator_liaison",
    "recipient_fp",
    "recipient_liaison",
    "recipient_coordinator",
    "non_recipient_fp",
    "pending_fp",
    "suspended_fp",
    "nobody",
)

# route → expected status per actor, in the order of ACTORS.
MATRIX: dict[str, tuple[int, ...]] = {
    "publish": (201, 403, 201, 403, 403, 201, 403, 403, 401),
    "list": (200, 200, 200, 200, 200, 200, 403, 403, 401),
    "read": (200, 200, 200, 200, 200, 404, 403, 403, 401),
    "read_unknown": (404, 404, 404, 404, 404, 404, 403, 403, 401),
    "attachment": (200, 200, 200, 200, 200, 404, 403, 403, 401),
    "withdraw": (204, 403, 403, 403, 403, 404, 403, 403, 401),
    "request_share": (201, 403, 201, 403, 403, 404, 403, 403, 401),
    "list_share_requests": (200, 200, 200, 200, 200, 200, 403, 403, 401),
    "approve": (200, 403, 403, 403, 403, 404, 403, 403, 401),
    "deny": (200, 403, 403, 403, 403, 404, 403, 403, 401),
    "revoke": (204, 403, 403, 403, 403, 404, 403, 403, 401),
    "explain_self": (200, 200, 200, 200, 200, 404, 403, 403, 401),
    "standing_consent": (201, 403, 201, 403, 403, 201, 403, 403, 401),
    "export_content": (200, 200, 200, 200, 200, 200, 403, 403, 401),
    "export_aggregates": (403, 403, 403, 403, 200, 403, 403, 403, 401),
}


@dataclass
class Setting:
    client: TestClient
    headers: dict[str, dict[str, str]]
    author: dict[str, str]
    recipient: dict[str, str]
    recipient_id: str
    second_recipient_id: str
    target_id: str
    orgs: dict[str, str]

    def report(self) -> dict[str, Any]:
        return publish_as(self.client, self.author, self.recipient_id, self.second_recipient_id)

    def share_request(self) -> tuple[str, str]:
        rid = self.report()["id"]
        response = self.client.post(
            f"{API}/reports/{rid}/share-requests",
            json={"to_organisation": self.target_id, "reason": "same road"},
            headers=self.recipient,
        )
        assert response.status_code == 201, response.text
        return rid, response.json()["id"]


def publish_as(client: TestClient, author: dict[str, str], *recipients: str) -> dict[str, Any]:
    response = client.post(
        f"{API}/reports",
        json=flash(
            audience={"organisations": list(recipients)}, attachments=[attach("p.png", PNG)]
        ),
        headers=author,
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


@pytest.fixture
def setting(db_session: Session, client: TestClient) -> Setting:
    w = world(db_session, client)
    pending = party(db_session, client, name="Pending P", approve=False)
    suspended = party(db_session, client, name="Suspended S")
    organisations.suspend_organisation(db_session, actor=CONSOLE, organisation_id=suspended.id)
    target = party(db_session, client, name="Target T", presence=("CD62",))
    headers = {
        "originator_fp": w.a.headers,
        "originator_liaison": member_of(db_session, client, w.a, roles=(Role.LIAISON,)),
        "recipient_fp": w.b.headers,
        "recipient_liaison": member_of(db_session, client, w.b, roles=(Role.LIAISON,)),
        "recipient_coordinator": member_of(db_session, client, w.b, roles=(Role.COORDINATOR,)),
        "non_recipient_fp": w.outsider.headers,
        "pending_fp": pending.headers,
        "suspended_fp": suspended.headers,
        "nobody": {},
    }
    orgs = {
        "originator_fp": w.a.id,
        "originator_liaison": w.a.id,
        "recipient_fp": w.b.id,
        "recipient_liaison": w.b.id,
        "recipient_coordinator": w.b.id,
        "non_recipient_fp": w.outsider.id,
        "pending_fp": pending.id,
        "suspended_fp": suspended.id,
        "nobody": w.a.id,
    }
    return Setting(
        client=client,
        headers=headers,
        author=w.a.headers,
        recipient=w.b.headers,
        recipient_id=w.b.id,
        second_recipient_id=w.c.id,
        target_id=target.id,
        orgs=orgs,
    )


def _call(s: Setting, route: str, actor: str) -> Any:
    c, h = s.client, s.headers[actor]
    calls: dict[str, Callable[[], Any]] = {
        "publish": lambda: c.post(f"{API}/reports", json=flash(), headers=h),
        "list": lambda: c.get(f"{API}/reports", headers=h),
        "read": lambda: c.get(f"{API}/reports/{s.report()['id']}", headers=h),
        "read_unknown": lambda: c.get(f"{API}/reports/{uuid.uuid4()}", headers=h),
        "attachment": lambda: _attachment(s, h),
        "withdraw": lambda: c.delete(f"{API}/reports/{s.report()['id']}", headers=h),
        "request_share": lambda: c.post(
            f"{API}/reports/{s.report()['id']}/share-requests",
            json={"to_organisation": s.target_id, "reason": "same road"},
            headers=h,
        ),
        "list_share_requests": lambda: c.get(f"{API}/share-requests", headers=h),
        "approve": lambda: c.post(
            f"{API}/share-requests/{s.share_request()[1]}/approve", headers=h
        ),
        "deny": lambda: c.post(f"{API}/share-requests/{s.share_request()[1]}/deny", headers=h),
        "revoke": lambda: c.delete(
            f"{API}/reports/{s.report()['id']}/recipients/{s.second_recipient_id}", headers=h
        ),
        "standing_consent": lambda: c.post(
            f"{API}/standing-consents", json={"to_kind": "un", "max_tlp": "amber"}, headers=h
        ),
        "export_content": lambda: c.get(f"{API}/exports/reports.csv", headers=h),
        "export_aggregates": lambda: c.get(f"{API}/exports/aggregates.csv", headers=h),
        "explain_self": lambda: c.get(
            f"{API}/policy/explain",
            params={"report": s.report()["id"], "organisation": s.orgs[actor]},
            headers=h,
        ),
    }
    return calls[route]()


def _attachment(s: Setting, headers: dict[str, str]) -> Any:
    rid = s.report()["id"]
    ref = s.client.get(f"{API}/reports/{rid}", headers=s.author).json()["attachments"][0]
    return s.client.get(f"{API}/reports/{rid}/attachments/{ref['id']}", headers=headers)


@pytest.mark.parametrize("route", sorted(MATRIX))
def test_matrix(setting: Setting, route: str) -> None:
    got = {actor: _call(setting, route, actor) for actor in ACTORS}
    statuses = {actor: response.status_code for actor, response in got.items()}
    assert statuses == dict(zip(ACTORS, MATRIX[route], strict=True))
    for actor, response in got.items():
        if response.status_code >= 400:
            assert response.headers["content-type"] == "application/problem+json", actor


def _comparable(response: Any) -> tuple[int, dict[str, Any]]:
    body = dict(response.json())
    body.pop("instance", None)
    body.pop("request_id", None)
    return response.status_code, body


@pytest.mark.parametrize(
    ("method", "suffix", "payload"),
    [
        ("GET", "", None),
        ("DELETE", "", None),
        ("POST", "/share-requests", "share"),
        ("GET", "/attachments/x", None),
        ("DELETE", "/recipients/x", None),
    ],
)
def test_non_recipient_cannot_tell_a_report_from_a_random_id(
    setting: Setting, method: str, suffix: str, payload: str | None
) -> None:
    existing = setting.report()["id"]
    stranger = setting.headers["non_recipient_fp"]
    body = {"to_organisation": setting.target_id, "reason": "same road"} if payload else None
    answers = [
        _comparable(
            setting.client.request(
                method, f"{API}/reports/{rid}{suffix}", json=body, headers=stranger
            )
        )
        for rid in (existing, str(uuid.uuid4()))
    ]
    assert answers[0] == answers[1]
    assert answers[0][0] == 404
