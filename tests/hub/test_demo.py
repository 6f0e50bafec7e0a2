"""`slthub demo` builds a scenario a person can click through, once."""

import json
from pathlib import Path
from typing import Any

import pyotp
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from typer.testing import CliRunner

from hub import demo
from hub.actors import Actor
from hub.alerting import service as alerting
from hub.areas import service as areas
from hub.areas.models import Area
from hub.cli import app as cli_app
from hub.consents.models import ShareRequest, StandingConsentRule
from hub.db import utcnow
from hub.directory import service as directory
from hub.directory.models import DirectoryEntry
from hub.members.models import Member
from hub.reports.models import Report
from policies import default_policy
from policies.vocabulary import Level

API = "/api/v1"


def test_demo_scenario_is_complete_and_idempotent(db_session) -> None:
    logins = demo.populate(db_session)
    assert {login["email"] for login in logins} == {p[1] for p in demo.PEOPLE}
    assert any(login["keys"] == "not_granted" for login in logins)
    at = utcnow()
    rutshuru = areas.area_standing(db_session, "CD6102", at=at, policy=default_policy()).outcome
    assert rutshuru.level is Level.ENHANCED  # inherited from Nord-Kivu's demo risk
    assert all(a.name.startswith("DEMO") for a in db_session.scalars(select(Area)))

    jb = db_session.scalar(select(Member).where(Member.email == "jb.mukendi@asf.example.org"))
    designation = alerting.get_designation(db_session, actor=Actor(label=jb.email, member=jb))
    assert designation.areas == ["CD61"]

    # The directory has people to call in Rutshuru; Aline (a focal point) is not listed yet.
    esther = db_session.scalar(
        select(Member).where(Member.email == "esther.kahindo@krn.example.org")
    )
    rutshuru_contacts = directory.lookup(
        db_session, actor=Actor(label=esther.email, member=esther), area="CD6102", lang="fr"
    )
    phones = {c.phone for o in rutshuru_contacts.organisations for c in o.contacts}
    assert "+243810000102" in phones
    aline = db_session.scalar(select(Member).where(Member.email == "aline.uwase@sgl.example.org"))
    assert directory.should_prompt(db_session, aline)

    reports = list(db_session.scalars(select(Report)))
    assert len(reports) == len(demo.REPORTS)
    assert all(r.summary and r.summary.startswith("[DEMO]") for r in reports)

    again = demo.populate(db_session)
    assert [login["email"] for login in again] == [login["email"] for login in logins]
    assert [login["reports"] for login in again] == [login["reports"] for login in logins]
    assert db_session.scalar(select(func.count()).select_from(Member)) == len(demo.PEOPLE)
    assert db_session.scalar(select(func.count()).select_from(Report)) == len(demo.REPORTS)
    assert db_session.scalar(select(func.count()).select_from(ShareRequest)) == 1
    assert db_session.scalar(select(func.count()).select_from(StandingConsentRule)) == 1
    assert db_session.scalar(select(func.count()).select_from(DirectoryEntry)) == len(
        demo.DIRECTORY
    )


# --- what a demo user finds through the JSON API ----------------------------------------------


def _login(client: TestClient, logins: list[dict[str, Any]], email: str) -> dict[str, str]:
    """Log in with what `slthub demo` printed: the passphrase, and a code from the printed
    authenticator URI when the role needs a second factor."""
    login = next(entry for entry in logins if entry["email"] == email)
    body = {"email": email, "password": login["passphrase"]}
    if login["totp_uri"]:
        body["totp"] = pyotp.parse_uri(login["totp_uri"]).now()
    response = client.post(f"{API}/auth/login", json=body)
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def _id(session: Any, key: str) -> str:
    report_id = session.scalar(select(Report.id).where(Report.idempotency_key == key))
    assert report_id is not None, key
    return str(report_id)


def test_a_demo_recipient_opens_a_demo_report(db_session, client, settings) -> None:
    logins = demo.populate(db_session, data_dir=settings.data_dir)
    jb = _login(client, logins, demo.JB)  # ASF; the sitrep comes from UNDSS

    listed = client.get(f"{API}/reports", headers=jb).json()
    sitrep_id = _id(db_session, "demo:north-kivu-sitrep")
    assert sitrep_id in {r["id"] for r in listed}
    assert len(listed) == len(next(x for x in logins if x["email"] == demo.JB)["reports"]["listed"])

    read = client.get(f"{API}/reports/{sitrep_id}", headers=jb)
    assert read.status_code == 200, read.text
    report = read.json()
    assert report["signature"] == "valid"
    assert report["verified_by"] == "originator"
    assert report["header"]["originator"]["name"] == "UNDSS Nord-Kivu"
    assert report["body"]["narrative"].startswith("[DEMO")
    assert report["body"]["recommendations"]

    # The final report carries a sketch of the site, sealed like the body.
    final = client.get(f"{API}/reports/{_id(db_session, 'demo:rn2-robbery-final')}", headers=jb)
    sketch = final.json()["attachments"][0]
    got = client.get(f"{API}/reports/{final.json()['id']}/attachments/{sketch['id']}", headers=jb)
    assert got.status_code == 200
    assert got.content == demo.sketch_png()


def test_organisations_not_given_a_demo_report_get_404(db_session, client) -> None:
    logins = demo.populate(db_session)
    final_id = _id(db_session, "demo:rn2-robbery-final")
    # Secours Grands Lacs is the organisation the pending share request is about.
    aline = _login(client, logins, "aline.uwase@sgl.example.org")
    assert client.get(f"{API}/reports/{final_id}", headers=aline).status_code == 404
    assert final_id not in {r["id"] for r in client.get(f"{API}/reports", headers=aline).json()}
    # The detention report is TLP:RED to UNDSS alone.
    red = _id(db_session, "demo:masisi-detention")
    assert client.get(f"{API}/reports/{red}", headers=aline).status_code == 404


def test_the_anonymous_demo_report_names_no_originator(db_session, client) -> None:
    logins = demo.populate(db_session)
    amina = _login(client, logins, demo.AMINA)  # UNDSS, a recipient
    anonymous_id = _id(db_session, "demo:goma-threat-letter")

    listed = {r["id"]: r for r in client.get(f"{API}/reports", headers=amina).json()}
    report = client.get(f"{API}/reports/{anonymous_id}", headers=amina).json()
    for header in (listed[anonymous_id]["header"], report["header"]):
        assert header["originator"] == {
            "id": None,
            "name": "a partner organisation",
            "kind": "ingo",
            "anonymous": True,
        }
    assert report["verified_by"] == "hub_attestation"
    assert report["signature"] == "valid"
    assert "Aide Sans Frontières" not in json.dumps(report, ensure_ascii=False)
    assert "ASF" not in json.dumps(report["body"])


def test_the_pending_share_request_waits_for_the_originator(db_session, client) -> None:
    logins = demo.populate(db_session)
    final_id = _id(db_session, "demo:rn2-robbery-final")
    jb = _login(client, logins, demo.JB)  # ASF published the final report

    requests = client.get(f"{API}/share-requests", headers=jb).json()
    assert [(r["report_id"], r["status"], r["direction"]) for r in requests] == [
        (final_id, "pending", "incoming")
    ]
    by_name = {o["name"]: o["id"] for o in client.get(f"{API}/organisations", headers=jb).json()}
    assert requests[0]["to_organisation"] == by_name["Secours Grands Lacs"]
    assert requests[0]["from_organisation"] == by_name["UNDSS Nord-Kivu"]
    printed = next(x for x in logins if x["email"] == demo.JB)["reports"]
    assert printed["to_answer"] == [requests[0]["id"]]


def test_the_update_and_final_report_follow_the_flash(db_session, client) -> None:
    logins = demo.populate(db_session)
    undss = _login(client, logins, demo.AMINA)
    flash, update, final = (
        _id(db_session, f"demo:rn2-robbery-{stage}") for stage in ("flash", "update", "final")
    )
    headers = {
        rid: client.get(f"{API}/reports/{rid}", headers=undss).json()["header"]
        for rid in (flash, update, final)
    }
    assert [headers[r]["stage"] for r in (flash, update, final)] == ["flash", "update", "final"]
    assert headers[flash]["incident_id"] is None
    assert (headers[update]["incident_id"], headers[update]["supersedes"]) == (flash, flash)
    assert (headers[final]["incident_id"], headers[final]["supersedes"]) == (flash, update)


def test_demo_twice_on_one_data_dir_neither_fails_nor_duplicates(
    fresh_database, tmp_path: Path
) -> None:
    runner = CliRunner()
    args = [
        "demo",
        "--no-serve",
        "--json",
        "--db",
        fresh_database.url,
        "--data-dir",
        str(tmp_path / "var"),
    ]
    runs = []
    for _ in range(2):
        result = runner.invoke(cli_app, args)
        assert result.exit_code == 0, result.output
        runs.append(json.loads(result.stdout.strip().splitlines()[-1]))
    first, second = runs
    assert [login["reports"] for login in second["logins"]] == [
        login["reports"] for login in first["logins"]
    ]
    every = {rid for login in second["logins"] for rid in login["reports"]["listed"]}
    assert len(every) == len(demo.REPORTS)

    from hub.db import make_engine

    engine = make_engine(fresh_database.url)
    try:
        with engine.connect() as connection:
            assert connection.scalar(select(func.count()).select_from(Report)) == len(demo.REPORTS)
            assert connection.scalar(select(func.count()).select_from(ShareRequest)) == 1
    finally:
        engine.dispose()
