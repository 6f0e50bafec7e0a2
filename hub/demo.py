"""`slthub demo`: a small scenario to click through, in eastern DR Congo.

Demo passphrases are printed and fixed: acceptable only because demo mode serves on
loopback with throwaway data. The hub refuses to start outside demo mode without secrets.
The reports the demo publishes are data in hub/demo_reports.py.
"""

from __future__ import annotations

import base64
import contextlib
from importlib import resources
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.actors import CONSOLE, Actor
from hub.alerting import service as alerting
from hub.alerting.schemas import LiaisonSet
from hub.areas import service as areas
from hub.areas.importing import parse_geojson
from hub.areas.models import Area
from hub.briefings.demo import populate_briefings
from hub.consents import service as consents
from hub.consents.models import ShareRequest, ShareStatus, StandingConsentRule
from hub.consents.schemas import ShareRequestCreate, StandingConsentCreate
from hub.db import utcnow
from hub.demo_reports import AMINA as AMINA
from hub.demo_reports import CAT as CAT
from hub.demo_reports import JB as JB
from hub.demo_reports import REPORTS as REPORTS
from hub.demo_reports import SHARE_REQUEST as SHARE_REQUEST
from hub.demo_reports import DemoReport as DemoReport
from hub.demo_reports import Scene as Scene
from hub.demo_reports import sketch_png as sketch_png
from hub.directory import service as directory
from hub.directory.models import DirectoryAudience
from hub.directory.schemas import DirectoryEntrySet
from hub.errors import Forbidden, NotFound
from hub.members import service as members
from hub.members.models import Member, Role
from hub.organisations import service as organisations
from hub.organisations.models import Organisation, OrganisationKind
from hub.reports import service as reports
from hub.reports.models import Report
from hub.reports.schemas import ReportCreate
from policies import Policy, default_policy
from policies.vocabulary import ReportType, Risk, Tlp

DEMO_WARNING = (
    "DEMO MODE: the passphrases below are printed for you to click through the hub.\n"
    "Never use demo mode for real information."
)

# (organisation, kind, approved)
ORGANISATIONS = [
    ("UNDSS Nord-Kivu", OrganisationKind.UN, True),
    ("Aide Sans Frontières", OrganisationKind.INGO, True),
    ("SLT Oversight Committee", OrganisationKind.IO, True),
    ("Kivu Relief Network", OrganisationKind.NGO, False),
    # Works in Sud-Kivu only: the third organisation a recipient asks to pass a report to.
    ("Secours Grands Lacs", OrganisationKind.INGO, True),
]

# (organisation, email, name, roles, passphrase, granted) — the first of each organisation
# creates its keys; `granted` says whether a colleague then grants them to later members.
PEOPLE = [
    (
        "UNDSS Nord-Kivu",
        "amina.diallo@undss.example.org",
        "Amina Diallo",
        [Role.COORDINATOR, Role.FOCAL_POINT],
        "goma lake at dawn 1",
        True,
    ),
    (
        "UNDSS Nord-Kivu",
        "hub.operator@undss.example.org",
        "Hub Operator",
        [Role.OPERATOR],
        "operator keeps backups 2",
        True,
    ),
    (
        "Aide Sans Frontières",
        "jb.mukendi@asf.example.org",
        "Jean-Baptiste Mukendi",
        [Role.FOCAL_POINT],
        "route nationale deux 3",
        True,
    ),
    (
        "Aide Sans Frontières",
        "claire.martin@asf.example.org",
        "Claire Martin",
        [Role.LIAISON],
        "liaison waits for grant 4",
        False,
    ),
    (
        "SLT Oversight Committee",
        "committee@slt.example.org",
        "Grace Mbeki",
        [Role.COMMITTEE],
        "committee approves partners 5",
        True,
    ),
    (
        "Kivu Relief Network",
        "esther.kahindo@krn.example.org",
        "Esther Kahindo",
        [Role.FOCAL_POINT],
        "rutshuru market day 6",
        True,
    ),
    (
        "Secours Grands Lacs",
        "aline.uwase@sgl.example.org",
        "Aline Uwase",
        [Role.FOCAL_POINT],
        "convoi vers kalehe 7",
        True,
    ),
]


# Where each demo organisation works (its presence), and the demo risk picture.
PRESENCE = {
    "UNDSS Nord-Kivu": ["CD61", "CD62"],
    "Aide Sans Frontières": ["CD6102", "CD6103", "CD-GOMA-W"],
    "Kivu Relief Network": ["CD6102"],
    "Secours Grands Lacs": ["CD62"],
}
RISKS = [
    ("CD61", Risk.HIGH, "DEMO — affrontements armés signalés autour de Kibumba et Rugari"),
    ("CD6201", Risk.MEDIUM, "DEMO — tensions communautaires, routes praticables"),
    ("ML07", Risk.VERY_HIGH, "DEMO — engins explosifs sur les axes Gao–Ansongo"),
]


def populate_areas(session: Session, by_name: dict[str, Organisation], coordinator: Member) -> None:
    """Demo area trees (hub/areas/demo/demo-areas.geojson, DEMO-labelled, with invented
    boundaries for the map), presence and risk, created once."""
    first_run = session.get(Area, "CD") is None
    if first_run:
        text = (resources.files("hub.areas") / "demo" / "demo-areas.geojson").read_text(
            encoding="utf-8"
        )
        areas.import_areas(
            session, actor=CONSOLE, parsed=parse_geojson(text), dataset="DEMO (not an official COD)"
        )
    actor = Actor(label=coordinator.email, member=coordinator)
    for org_name, codes in PRESENCE.items():
        # Each organisation that has none: one added to the demo since an older demo was set
        # up in this data directory still gets its areas.
        organisation_id = by_name[org_name].id
        if not areas.get_presence(session, organisation_id).areas:
            areas.set_presence(session, actor=actor, organisation_id=organisation_id, areas=codes)
    if not first_run:
        return
    policy = default_policy()
    for code, risk, reason in RISKS:
        areas.set_risk(
            session, actor=actor, code=code, risk=risk, reason=reason, now=utcnow(), policy=policy
        )


# Demo liaisons: their account e-mail (no confirmation needed) and a phrase they would
# recognise in every genuine alert. (email, areas, anti-phishing phrase, deputies)
LIAISONS = [
    ("jb.mukendi@asf.example.org", ["CD61"], "mangue verte", ["claire.martin@asf.example.org"]),
    ("claire.martin@asf.example.org", ["CD6102", "CD6103"], "pirogue bleue", []),
    ("esther.kahindo@krn.example.org", ["CD6102"], "marché du lundi", []),
]


def populate_liaisons(session: Session) -> None:
    """Designate demo liaisons once, so that alerts have somebody to reach (shown on the
    console: demo mode sends e-mail and SMS to the log)."""
    for email, codes, phrase, deputies in LIAISONS:
        member = session.execute(select(Member).where(Member.email == email)).scalar_one()
        actor = Actor(label=member.email, member=member)
        with contextlib.suppress(NotFound):
            alerting.get_designation(session, actor=actor)
            continue
        alerting.set_designation(
            session,
            actor=actor,
            data=LiaisonSet(areas=codes, anti_phishing_phrase=phrase, deputies=deputies),
            now=utcnow(),
        )


# Who shows what in the partners' directory (hub/directory): (email, shown, title, phone,
# audience). Aline Uwase, a focal point, is not listed: she sees the prompt to choose.
DIRECTORY = [
    (
        "amina.diallo@undss.example.org",
        ["name", "title", "phone", "email"],
        "Coordinatrice sécurité SLT, Nord-Kivu",
        "+243810000101",
        DirectoryAudience.PARTNERS,
    ),
    (
        "jb.mukendi@asf.example.org",
        ["name", "title", "phone", "email"],
        "Point focal sécurité, Rutshuru et Masisi",
        "+243810000102",
        DirectoryAudience.PARTNERS,
    ),
    (
        "claire.martin@asf.example.org",
        ["name", "phone"],
        "Chargée de liaison",  # kept, not shown
        "+243810000103",
        DirectoryAudience.AREA_PARTNERS,
    ),
    (
        "esther.kahindo@krn.example.org",
        ["name", "title", "email"],
        "Responsable sûreté",
        None,
        DirectoryAudience.PARTNERS,
    ),
]


def populate_directory(session: Session) -> None:
    """The demo people's directory entries, once each (a later run keeps what they chose)."""
    for email, shown, title, phone, audience in DIRECTORY:
        member = session.execute(select(Member).where(Member.email == email)).scalar_one()
        actor = Actor(label=member.email, member=member)
        if directory.get_entry(session, actor=actor).updated_at is not None:
            continue
        directory.set_entry(
            session,
            actor=actor,
            data=DirectoryEntrySet.model_validate(
                {"show": shown, "title": title, "phone": phone, "audience": audience}
            ),
        )


# --- reports ---------------------------------------------------------------------------------
#
# Published through `submit_report` in each author's own session (their member key unlocked
# from the demo passphrase, as a login does), so that they are sealed, signed, audited and
# announced exactly like real ones: the hub can read none of these bodies either.


def _member(session: Session, email: str) -> Member:
    return session.execute(select(Member).where(Member.email == email)).scalar_one()


def _passphrase(email: str) -> str:
    return next(p for _, e, _, _, p, _ in PEOPLE if e == email)


def populate_reports(
    session: Session, by_name: dict[str, Organisation], *, policy: Policy, data_dir: Path | None
) -> dict[str, str]:
    """Publish the demo reports that are not there yet; returns their ids by key."""
    authors = {spec.author: _member(session, spec.author) for spec in REPORTS}
    published = {
        key: report_id
        for key, report_id in session.execute(
            select(Report.idempotency_key, Report.id)
            .where(Report.idempotency_key.in_([spec.key for spec in REPORTS]))
            .where(Report.created_by_id.in_([m.id for m in authors.values()]))
        )
        if key is not None
    }
    missing = [spec for spec in REPORTS if spec.key not in published]
    if not missing:
        return published  # a later run: no Argon2id at all
    # Argon2id once per author (~0.16 s each), before anything is written (it ends the
    # read transaction).
    actors = {
        email: Actor(
            label=email,
            member=member,
            member_keys=members.unlock_with_passphrase(session, member, _passphrase(email)),
        )
        for email, member in authors.items()
        if any(spec.author == email for spec in missing)
    }
    now = utcnow()
    organisation_ids = {name: org.id for name, org in by_name.items()}
    for spec in missing:
        data = spec.build(Scene(now=now, organisation=organisation_ids, report=dict(published)))
        if spec.sketch and data_dir is not None:
            data["attachments"] = [
                {
                    "filename": "DEMO-croquis-PK42.png",
                    "content": base64.b64encode(sketch_png()).decode(),
                }
            ]
        result = reports.submit_report(
            session,
            actor=actors[spec.author],
            report_in=ReportCreate.model_validate(data),
            policy=policy,
            # Without a data directory nothing is written there: no attachment is sent.
            data_dir=data_dir or Path("var"),
            idempotency_key=spec.key,
        )
        published[spec.key] = result.report.id
    return published


def populate_standing_consent(
    session: Session, by_name: dict[str, Organisation], policy: Policy
) -> None:
    """UNDSS lets its sitreps and alerts go on to any international NGO partner without
    being asked: before the reports, so that publication applies it (this is how Secours
    Grands Lacs receives the Nord-Kivu sitrep with no presence there). Made once, and not
    again if somebody since removed it."""
    undss = by_name["UNDSS Nord-Kivu"]
    if session.scalar(
        select(StandingConsentRule.id).where(StandingConsentRule.originator_id == undss.id)
    ):
        return
    amina = _member(session, AMINA)
    consents.create_standing_consent(
        session,
        actor=Actor(label=amina.email, member=amina),
        rule_in=StandingConsentCreate(
            to_kind=OrganisationKind.INGO,
            max_tlp=Tlp.AMBER,
            report_types=[ReportType.SITUATION, ReportType.ALERT],
        ),
        policy=policy,
    )


def populate_share_request(
    session: Session, by_name: dict[str, Organisation], published: dict[str, str], policy: Policy
) -> None:
    """A recipient asks the originator to pass a report on: something for the originator's
    focal point to approve. Made once, and not again once answered."""
    email, key, target_name, reason = SHARE_REQUEST
    target = by_name[target_name]
    if session.scalar(
        select(ShareRequest.id)
        .where(ShareRequest.report_id == published[key])
        .where(ShareRequest.target_id == target.id)
    ):
        return
    requester = _member(session, email)
    consents.request_share(
        session,
        actor=Actor(label=requester.email, member=requester),
        report_id=published[key],
        request_in=ShareRequestCreate(to_organisation=target.id, reason=reason),
        policy=policy,
    )


def what_they_see(session: Session, member: Member, policy: Policy) -> dict[str, Any]:
    """The reports a login finds (headers its organisation was given) and the share
    requests waiting for it, asked of the services as the pages ask them."""
    actor = Actor(label=member.email, member=member)
    try:
        listed = reports.list_reports(session, actor=actor, policy=policy)
        requests = consents.list_share_requests(session, actor=actor)
    except Forbidden:
        # A pending organisation reads and publishes nothing until the committee approves it.
        return {
            "listed": [],
            "can_open": False,
            "why_not": "organisation_not_approved",
            "to_answer": [],
            "waiting": [],
        }
    pending = [r for r in requests if r.status is ShareStatus.PENDING]
    # Only a focal point speaks for the organisation when a request comes in.
    answers = member.has_role(Role.FOCAL_POINT)
    has_keys = members.wrap_of(session, member) is not None
    return {
        "listed": [r.id for r in listed],
        "can_open": has_keys,
        "why_not": None if has_keys else "keys_not_granted",
        "to_answer": [r.id for r in pending if r.direction == "incoming" and answers],
        "waiting": [r.id for r in pending if r.direction == "outgoing"],
    }


def populate(session: Session, *, data_dir: Path | None = None) -> list[dict[str, Any]]:
    """Create the scenario once; on later runs, only list the logins again. `data_dir` (the
    hub's) lets one report carry an attachment; without it, none does."""
    by_name: dict[str, Organisation] = {}
    for name, kind, approved in ORGANISATIONS:
        existing = session.execute(
            select(Organisation).where(Organisation.name == name)
        ).scalar_one_or_none()
        by_name[name] = existing or organisations.create_organisation(
            session, actor=CONSOLE, name=name, kind=kind, approve=approved
        )
    first_of: dict[str, str] = {}
    logins: list[dict[str, Any]] = []
    for org_name, email, display, roles, passphrase, granted in PEOPLE:
        member = session.execute(select(Member).where(Member.email == email)).scalar_one_or_none()
        if member is None:
            member = members.create_member(
                session,
                actor=CONSOLE,
                organisation=by_name[org_name],
                email=email,
                display_name=display,
                roles=roles,
                passphrase=passphrase,
            ).member
            if org_name in first_of and granted:
                members.grant_with_passphrase(
                    session,
                    target_email=email,
                    granter_email=first_of[org_name],
                    passphrase=next(p for _, e, _, _, p, _ in PEOPLE if e == first_of[org_name]),
                )
        first_of.setdefault(org_name, email)
        logins.append(
            {
                "email": email,
                "passphrase": passphrase,
                "organisation": org_name,
                "roles": [r.value for r in roles],
                "totp_uri": members.totp_uri(member, member.totp_secret)
                if member.totp_secret
                else None,
                "keys": "granted" if members.wrap_of(session, member) else "not_granted",
            }
        )
    coordinator = session.execute(
        select(Member).where(Member.email == "amina.diallo@undss.example.org")
    ).scalar_one()
    populate_areas(session, by_name, coordinator)
    populate_liaisons(session)
    populate_directory(session)
    populate_briefings(session, coordinator, data_dir)
    policy = default_policy()
    populate_standing_consent(session, by_name, policy)
    published = populate_reports(session, by_name, policy=policy, data_dir=data_dir)
    populate_share_request(session, by_name, published, policy)
    for login in logins:
        login["reports"] = what_they_see(session, _member(session, login["email"]), policy)
    return logins


def _finds(login: dict[str, Any], total: int) -> str:
    seen = login["reports"]
    count, org = len(seen["listed"]), login["organisation"]
    if seen["why_not"] == "organisation_not_approved":
        text = f"reports: none until the committee approves {org}"
    elif not count:
        text = f"reports: none of the {total} was given to {org}"
    elif seen["can_open"]:
        text = f"reports: opens {count} of the {total}"
    else:
        text = f"reports: lists {count} of the {total}; opens none until a colleague grants keys"
    if seen["to_answer"]:
        text += f" · {_requests(len(seen['to_answer']))} to answer"
    if seen["waiting"]:
        text += f" · {_requests(len(seen['waiting']))} waiting for the originator's answer"
    return text


def _requests(count: int) -> str:
    return f"{count} share request" + ("s" if count > 1 else "")


def format_logins(logins: list[dict[str, Any]]) -> str:
    total = len({report_id for login in logins for report_id in login["reports"]["listed"]})
    lines = [
        f"{total} DEMO reports are on the hub, each sealed to the organisations it was given to;",
        "the hub itself cannot read them. Log in as:",
        "",
    ]
    for login in logins:
        lines.append(
            f"{login['email']}\n    passphrase: {login['passphrase']}\n"
            f"    {login['organisation']} · {', '.join(login['roles'])} · keys {login['keys']}"
        )
        if login["totp_uri"]:
            lines.append(f"    second factor (add to an authenticator app): {login['totp_uri']}")
        lines.append(f"    {_finds(login, total)}")
    return "\n".join(lines)
