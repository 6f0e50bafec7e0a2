"""What each page weighs on the wire: the HTML and the stylesheet and scripts it links.

    python -m bench.pages

Runs `slthub init` into a temporary directory (SQLite), creates one organisation present in a
small area tree and one focal point, imports the demo boundaries (hub/areas/demo, two DEMO
trees: RD Congo and Mali) so that the overview and the area pages draw their maps, publishes
one incident in each of the last twelve months in North Kivu (so the area pages' charts have
twelve bars), serves the hub on a loopback port, logs in through the login form and fetches
each page of PAGES, then the overview and the root area's page for each demo tree (the
organisation present in that tree alone). Prints, per page, the bytes of the HTML, of what it
links (CSS, scripts), their sum, and the sum gzip-compressed (what a proxy that compresses
would send). Focal points open these over 2G: the flash form's budget is 15 KB in all, every
other page's 30 KB.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import re
import tempfile
from importlib import resources
from pathlib import Path
from typing import Any

import httpx
import pyotp
from pydantic import SecretStr
from sqlalchemy import select

from bench.hub import PASSPHRASE, _free_port, _serve, _setup
from hub.config import Settings

# Pages a logged-in focal point opens; add a page here to have it measured.
PAGES = (
    "/",
    "/reports",
    "/reports/new",
    "/reports/flash",
    "/share-requests",
    "/areas",
    "/areas/CD61",
    "/areas/CD61/report",
    "/liaison",
    "/organisation/members",
    "/apply",
    "/directory?area=CD61",
    "/account/directory",
)

# The directory of North Kivu as a busy province has it: this many partners present in it
# or in its districts, each with two people showing every detail.
DIRECTORY_PARTNERS = 15

TREE_CSV = """code,name,parent,kind,name_fr,name_en
CD,RD Congo,,country,République démocratique du Congo,Democratic Republic of the Congo
CD61,Nord-Kivu,CD,admin1,,
CD6101,Beni,CD61,admin2,,
CD6102,Rutshuru,CD61,admin2,,
CD6103,Masisi,CD61,admin2,,
CD6104,Nyiragongo,CD61,admin2,,
CD6105,Walikale,CD61,admin2,,
CD6106,Lubero,CD61,admin2,,
CD62,Sud-Kivu,CD,admin1,,
CD6201,Kalehe,CD62,admin2,,
CD6202,Kabare,CD62,admin2,,
CD6203,Uvira,CD62,admin2,,
CD6204,Fizi,CD62,admin2,,
"""

_LINKED = re.compile(r'<(?:link rel="stylesheet" href|script[^>]* src)="(/static/[^"]+)"')


def _areas(settings: Settings, email: str) -> tuple[str, str, str, str]:
    """The area tree and presence; an application waiting for a committee member, an
    invitation from the focal point, an operator and a full page of the audit log. Returns
    (committee email, its TOTP secret, the invitation's token as the outbox holds it before
    the email goes, the operator's TOTP secret)."""
    from alerts.models import AlertEvent
    from hub.actors import CONSOLE, Actor
    from hub.areas import service as areas
    from hub.areas.importing import parse_csv, parse_geojson
    from hub.db import make_engine, make_session_factory
    from hub.keystore import load_hub_keys
    from hub.members import invitations
    from hub.members import service as members
    from hub.members.models import Member, Role
    from hub.organisations import joining
    from hub.organisations import service as organisations
    from hub.organisations.models import OrganisationKind

    engine = make_engine(settings.database_url)
    factory = make_session_factory(engine, signer=load_hub_keys(settings.hub_keys_path))
    with factory() as session:
        areas.import_areas(session, actor=CONSOLE, parsed=parse_csv(TREE_CSV), dataset="bench")
        demo = (resources.files("hub.areas") / "demo" / "demo-areas.geojson").read_text("utf-8")
        areas.import_areas(session, actor=CONSOLE, parsed=parse_geojson(demo), dataset="DEMO")
        member = session.scalars(select(Member).where(Member.email == email)).one()
        areas.set_presence(
            session, actor=CONSOLE, organisation_id=member.organisation_id, areas=["CD61", "CD62"]
        )
        committee_org = organisations.create_organisation(
            session, actor=CONSOLE, name="Comité SLT", kind=OrganisationKind.OTHER, approve=True
        )
        committee = members.create_member(
            session,
            actor=CONSOLE,
            organisation=committee_org,
            email="committee@bench.example",
            display_name="Comité",
            roles=[Role.COMMITTEE],
            passphrase=PASSPHRASE,
        )
        assert committee.totp_secret is not None
        joining.apply(
            session,
            application=joining.ApplicationIn(
                name="Médecins de la Route",
                kind=OrganisationKind.NGO,
                contact_name="Awa Diallo",
                contact_email="awa@route.example",
                areas=["CD61", "CD62"],
                reason="Cliniques mobiles sur les routes du Nord et du Sud-Kivu.",
            ),
            address="127.0.0.1",
        )
        _directory(session)
        member = session.scalars(select(Member).where(Member.email == email)).one()
        invitation = invitations.invite_colleague(
            session,
            actor=Actor(label=email, member=member),
            email="colleague@bench.example",
            display_name="Jean Mukendi",
            roles=[Role.LIAISON],
            language="fr",
        )
        event = session.scalars(
            select(AlertEvent).where(AlertEvent.source == f"invitation:{invitation.id}")
        ).one()
        token = str(event.facts["token"])
        operator = members.create_member(
            session,
            actor=CONSOLE,
            organisation=committee_org,
            email="operator@bench.example",
            display_name="Opérateur du hub",
            roles=[Role.OPERATOR],
            passphrase=PASSPHRASE,
        )
        assert operator.totp_secret is not None
        # More than a page of the audit log, each entry with an actor and a target by name.
        from hub.audit import service as audit
        from hub.audit.models import AuditAction

        for _ in range(60):
            audit.record(
                session,
                action=AuditAction.REPORT_OPEN,
                actor=email,
                actor_id=member.id,
                target=member.organisation_id,
            )
        session.commit()
    engine.dispose()
    return "committee@bench.example", committee.totp_secret, token, operator.totp_secret


def _directory(session: Any) -> None:
    """Partners present in North Kivu with their contacts shown. Their members are rows
    only (no passphrase, no keys: nobody logs in as them), so that the set-up spends no
    Argon2 time; what the directory shows of them is what a real member would show."""
    from hub.actors import CONSOLE, Actor
    from hub.areas import service as areas
    from hub.directory import service as directory
    from hub.directory.schemas import DirectoryEntrySet
    from hub.members.models import Member
    from hub.organisations import service as organisations
    from hub.organisations.models import OrganisationKind

    districts = ["CD61", "CD6101", "CD6102", "CD6103", "CD6104", "CD6105", "CD6106"]
    for n in range(DIRECTORY_PARTNERS):
        org = organisations.create_organisation(
            session,
            actor=CONSOLE,
            name=f"Partenaire humanitaire {n:02d}",
            kind=OrganisationKind.INGO,
            approve=True,
        )
        areas.set_presence(
            session, actor=CONSOLE, organisation_id=org.id, areas=[districts[n % len(districts)]]
        )
        for k, title in enumerate(("Coordinateur sécurité pays", "Point focal sécurité Goma")):
            person = Member(
                organisation_id=org.id,
                email=f"securite{k}@partenaire{n:02d}.example.org",
                display_name=f"Personne {n:02d}-{k} Mukendi-Kabasele",
                public_key=bytes(32),
            )
            session.add(person)
            session.flush()
            directory.set_entry(
                session,
                actor=Actor(label=person.email, member=person),
                data=DirectoryEntrySet(
                    show=["name", "title", "phone", "email"],
                    title=title,
                    phone=f"+2438100{n:02d}{k:03d}",
                ),
            )


def _incidents(client: httpx.Client, email: str) -> None:
    """One incident in North Kivu in each of the last twelve months, through the API."""
    from bench.reports import FLASH

    token = client.post("/api/v1/auth/login", json={"email": email, "password": PASSPHRASE}).json()[
        "access_token"
    ]
    month = dt.date.today().replace(day=1)
    for _ in range(12):
        report = {**FLASH, "area": "CD61", "occurred_at": f"{month.isoformat()}T06:40:00+01:00"}
        answer = client.post(
            "/api/v1/reports", json=report, headers={"Authorization": f"Bearer {token}"}
        )
        assert answer.status_code == 201, answer.text
        month = (month - dt.timedelta(days=1)).replace(day=1)


def _present_in(settings: Settings, email: str, tree: str) -> None:
    from hub.actors import CONSOLE
    from hub.areas import service as areas
    from hub.db import make_engine, make_session_factory
    from hub.keystore import load_hub_keys
    from hub.members.models import Member

    engine = make_engine(settings.database_url)
    factory = make_session_factory(engine, signer=load_hub_keys(settings.hub_keys_path))
    with factory() as session:
        member = session.scalars(select(Member).where(Member.email == email)).one()
        areas.set_presence(
            session, actor=CONSOLE, organisation_id=member.organisation_id, areas=[tree]
        )
    engine.dispose()


def _measure(client: httpx.Client, path: str, label: str | None = None) -> None:
    page = client.get(path)
    assert page.status_code == 200, (path, page.status_code)
    linked = b"".join(client.get(src).content for src in _LINKED.findall(page.text))
    total = page.content + linked
    print(
        f"{label or path:<26}{len(page.content):>8}{len(linked):>8}{len(total):>8}"
        f"{len(gzip.compress(page.content)) + len(gzip.compress(linked)):>8}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="accepted; one fetch per page")
    parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="slthub-bench-") as tmp:
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            database_url=f"sqlite:///{Path(tmp) / 'hub.db'}",
            data_dir=Path(tmp) / "var",
            secret_key=SecretStr("bench-" + "x" * 40),
        )
        email = _setup(settings)
        committee, secret, invited, operator_secret = _areas(settings, email)
        port = _free_port()
        server = _serve(settings, port)
        try:
            with httpx.Client(
                base_url=f"http://127.0.0.1:{port}", timeout=30, follow_redirects=True
            ) as client:
                login = client.get("/login").text
                token = re.search(r'name="csrf_token" value="([^"]+)"', login)
                assert token is not None
                answer = client.post(
                    "/login",
                    data={"email": email, "password": PASSPHRASE, "csrf_token": token.group(1)},
                )
                assert answer.status_code == 200, answer.status_code
                _incidents(client, email)
                print(f"{'page':<26}{'html':>8}{'linked':>8}{'total':>8}{'gzip':>8}  (bytes)")
                for path in PAGES:
                    _measure(client, path)
                # Each demo tree's overview (its map) and root area page (map and chart).
                for tree in ("CD", "ML"):
                    _present_in(settings, email, tree)
                    _measure(client, "/", label=f"/ (present in {tree})")
                    _measure(client, f"/areas/{tree}")
            # The invitee, who has no account yet, and a committee member (with TOTP).
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as invitee:
                _measure(invitee, f"/join/{invited}", label="/join/{token}")
            with httpx.Client(
                base_url=f"http://127.0.0.1:{port}", timeout=30, follow_redirects=True
            ) as client:
                login = client.get("/login").text
                token_field = re.search(r'name="csrf_token" value="([^"]+)"', login)
                assert token_field is not None
                client.post(
                    "/login",
                    data={
                        "email": committee,
                        "password": PASSPHRASE,
                        "totp": pyotp.TOTP(secret).now(),
                        "csrf_token": token_field.group(1),
                    },
                )
                _measure(client, "/committee/organisations")
            with httpx.Client(
                base_url=f"http://127.0.0.1:{port}", timeout=30, follow_redirects=True
            ) as client:
                login = client.get("/login").text
                token_field = re.search(r'name="csrf_token" value="([^"]+)"', login)
                assert token_field is not None
                client.post(
                    "/login",
                    data={
                        "email": "operator@bench.example",
                        "password": PASSPHRASE,
                        "totp": pyotp.TOTP(operator_secret).now(),
                        "csrf_token": token_field.group(1),
                    },
                )
                # A full page of 50 entries, and the health page.
                _measure(client, "/operator/audit")
                _measure(client, "/operator/health")
        finally:
            server.should_exit = True


if __name__ == "__main__":
    main()
