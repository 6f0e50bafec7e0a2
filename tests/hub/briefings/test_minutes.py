"""The minutes reach only those who attended: a sealed `meeting_minutes` report whose data key
is wrapped for the organisations that answered yes (and the one that wrote it), so the
others cannot open it — there is no key for them, whatever the hub is asked."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.members.models import Role
from hub.reports.models import ReportWrap
from tests.hub.factories import current_code, login, make_member, make_organisation
from tests.hub.reports.factories import API, World


def test_minutes_reach_only_the_attending_organisations(
    db_session: Session, client: TestClient, w: World
) -> None:
    undss = make_organisation(db_session, name="UNDSS Nord-Kivu")
    created = make_member(db_session, undss, roles=(Role.COORDINATOR, Role.FOCAL_POINT))
    assert created.totp_secret is not None
    coord = login(client, created.member.email, totp=current_code(created.totp_secret))
    made = client.post(
        f"{API}/briefings",
        json={"area": "CD61", "starts_at": "2099-03-03T10:00", "agenda": "Axe Goma–Rutshuru"},
        headers=coord,
    )
    assert made.status_code == 201, made.text
    briefing = made.json()
    assert briefing["invited"] >= 3  # the focal points of A, B and C (present in North Kivu)

    nobody = client.post(
        f"{API}/briefings/{briefing['id']}/minutes", json={"text": "Rien"}, headers=coord
    )
    assert nobody.status_code == 409  # nobody attends yet: nobody to send them to
    assert nobody.headers["content-type"].startswith("application/problem+json")

    for party, attending in ((w.a, True), (w.b, False)):
        answered = client.post(
            f"{API}/briefings/{briefing['id']}/answer",
            json={"attending": attending},
            headers=party.headers,
        )
        assert answered.status_code == 200, answered.text
    outsider = client.post(
        f"{API}/briefings/{briefing['id']}/answer",
        json={"attending": True},
        headers=w.outsider.headers,
    )
    assert outsider.status_code == 404  # not invited: works in South Kivu

    refused = client.post(
        f"{API}/briefings/{briefing['id']}/minutes", json={"text": "x"}, headers=w.b.headers
    )
    assert refused.status_code == 403  # B did not attend: it does not write them

    published = client.post(
        f"{API}/briefings/{briefing['id']}/minutes",
        json={"text": "Convoi vers Rutshuru reporté à jeudi.", "decisions": "Escorte MONUSCO"},
        headers=coord,
    )
    assert published.status_code == 201, published.text
    report_id = published.json()["report_id"]
    assert published.json()["organisations"] == [w.a.id]
    again = client.post(
        f"{API}/briefings/{briefing['id']}/minutes", json={"text": "autre"}, headers=coord
    )
    assert again.json()["report_id"] == report_id  # once per briefing

    # Keys: wrapped for the attending organisation and the author's, nobody else.
    wrapped = set(
        db_session.scalars(
            select(ReportWrap.organisation_id).where(ReportWrap.report_id == report_id)
        )
    )
    assert wrapped == {w.a.id, undss.id}
    read = client.get(f"{API}/reports/{report_id}", headers=w.a.headers)
    assert read.status_code == 200, read.text
    assert read.json()["header"]["type"] == "meeting_minutes"
    assert "reporté à jeudi" in read.text
    for party in (w.b, w.c, w.outsider):
        assert client.get(f"{API}/reports/{report_id}", headers=party.headers).status_code == 404
    shown = client.get(f"{API}/briefings/{briefing['id']}", headers=coord).json()
    assert shown["minutes_report_id"] == report_id
