"""`slthub demo`: a small scenario to click through, in eastern DR Congo.

Demo passphrases are printed and fixed: acceptable only because demo mode serves on
loopback with throwaway data. The hub refuses to start outside demo mode without secrets.
"""

from __future__ import annotations

import contextlib
from importlib import resources
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.actors import CONSOLE, Actor
from hub.alerting import service as alerting
from hub.alerting.schemas import LiaisonSet
from hub.areas import service as areas
from hub.areas.importing import parse_csv
from hub.areas.models import Area
from hub.db import utcnow
from hub.errors import NotFound
from hub.members import service as members
from hub.members.models import Member, Role
from hub.organisations import service as organisations
from hub.organisations.models import Organisation, OrganisationKind
from policies import default_policy
from policies.vocabulary import Risk

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
    """Demo area trees (hub/areas/demo/demo-areas.csv, DEMO-labelled), presence and risk,
    created once."""
    first_run = session.get(Area, "CD") is None
    if first_run:
        text = (resources.files("hub.areas") / "demo" / "demo-areas.csv").read_text(
            encoding="utf-8"
        )
        areas.import_areas(
            session, actor=CONSOLE, parsed=parse_csv(text), dataset="DEMO (not an official COD)"
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


def populate(session: Session) -> list[dict[str, Any]]:
    """Create the scenario once; on later runs, only list the logins again."""
    by_name: dict[str, Organisation] = {}
    for name, kind, approved in ORGANISATIONS:
        existing = session.execute(
            select(Organisation).where(Organisation.name == name)
        ).scalar_one_or_none()
        by_name[name] = existing or organisations.create_organisation(
            session, actor=CONSOLE, name=name, kind=kind, approve=approved
        )
    first_of: dict[str, str] = {}
    logins = []
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
    return logins


def format_logins(logins: list[dict[str, Any]]) -> str:
    lines = []
    for login in logins:
        lines.append(
            f"{login['email']}\n    passphrase: {login['passphrase']}\n"
            f"    {login['organisation']} · {', '.join(login['roles'])} · keys {login['keys']}"
        )
        if login["totp_uri"]:
            lines.append(f"    second factor (add to an authenticator app): {login['totp_uri']}")
    return "\n".join(lines)
