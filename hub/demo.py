"""`slthub demo`: a small scenario to click through, in eastern DR Congo.

Demo passphrases are printed and fixed: acceptable only because demo mode serves on
loopback with throwaway data. The hub refuses to start outside demo mode without secrets.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass
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

JB = "jb.mukendi@asf.example.org"
AMINA = "amina.diallo@undss.example.org"
# Goma and Bukavu keep Central Africa Time all year.
CAT = dt.timezone(dt.timedelta(hours=2))


@dataclass(frozen=True)
class Scene:
    """What a demo report refers to: days counted back from today (so the demo always
    looks recent), organisation ids, and the ids of the demo reports published before."""

    now: dt.datetime
    organisation: dict[str, str]
    report: dict[str, str]

    def at(self, days_ago: int, hour: int, minute: int = 0) -> dt.datetime:
        """A local time in Goma, at least a day ago: never in the future."""
        day = self.now.astimezone(CAT) - dt.timedelta(days=days_ago)
        return day.replace(hour=hour, minute=minute, second=0, microsecond=0)


def _threat_letter(s: Scene) -> dict[str, Any]:
    when = s.at(3, 7, 30)
    return {
        "type": "incident",
        "stage": "flash",
        "area": "CD-GOMA-W",
        "category": "threat_intimidation_harassment",
        "severity": "moderate",
        "occurred_at": when,
        "tlp": "amber",
        # Anonymous: the author wants to know whether others were targeted without
        # pointing at its own office. Recipients see "an international NGO".
        "anonymous": True,
        "show_kind": True,
        "summary": "[DEMO] Lettre de menace avec demande d'argent déposée au portail d'un "
        "bureau d'ONG, Goma ouest",
        "body": {
            "narrative": f"[DEMO — scénario fictif] Le {when:%d/%m} vers 07h30, le gardien de "
            "jour a trouvé une enveloppe glissée sous le portail de notre bureau (quartier "
            "ouest de Goma). Lettre manuscrite en swahili, non signée, exigeant une "
            "« contribution » de 2 000 USD sous sept jours et menaçant « le personnel qui "
            "circule à moto ». Aucun groupe identifiable. Selon le voisinage, c'est la "
            "deuxième lettre de ce type dans le quartier depuis le début du mois.",
            "what_happened": "Lettre de menace avec demande d'argent, déposée pendant la nuit.",
            "who_involved": "Aucun staff blessé ni approché. Le gardien de jour (staff "
            "national) a découvert la lettre.",
            "location": "Bureau de l'organisation, quartier ouest de Goma",
            "location_type": "office_compound",
            "actor_type": "unknown",
            "motive": "Extorsion (présumée)",
            "actions_taken": "Gardiennage de nuit renforcé (2 gardiens), contrôle d'accès "
            "strict au portail, déplacements du staff à moto suspendus, lettre conservée et "
            "photographiée, PNC informée verbalement. Pas de paiement.",
            "help_needed": "Savoir si d'autres organisations de Goma ouest ont reçu des "
            "lettres semblables ; avis d'UNDSS sur la conduite à tenir.",
            "sources": "Gardien (témoin direct), voisins.",
        },
    }


def _robbery_flash(s: Scene) -> dict[str, Any]:
    when = s.at(2, 6, 40)
    return {
        "type": "incident",
        "stage": "flash",
        "area": "CD6102",
        "category": "armed_robbery",
        "severity": "severe",
        "occurred_at": when,
        "tlp": "amber",
        # No audience: the policy's default for an enhanced area (partners present there).
        "summary": "[DEMO] Vol à main armée à un faux barrage sur la RN2 (Kibumba–Rugari), "
        "un chauffeur légèrement blessé",
        "body": {
            "narrative": f"[DEMO — scénario fictif] FLASH. Le {when:%d/%m} vers 06h40, un "
            "véhicule ASF (Land Cruiser, 3 staff nationaux dont le chauffeur) en route de Goma "
            "vers Rutshuru a été arrêté à un barrage improvisé au PK 42 de la RN2, entre "
            "Kibumba et Rugari. 5 à 6 hommes armés (AK-47), tenues militaires dépareillées. "
            "Argent, téléphones et un ordinateur portable emportés. Le chauffeur a reçu un "
            "coup de crosse. L'équipe a été relâchée et est rentrée à Goma à 08h15 à bord "
            "d'un taxi-moto ; le véhicule est resté sur place.",
            "who_involved": "3 staff nationaux ASF (chauffeur, 2 agents de programme). "
            "Auteurs : 5 à 6 hommes armés non identifiés.",
            "what_happened": "Vol à main armée à un faux barrage.",
            "location": "RN2, PK 42, entre Kibumba et Rugari",
            "coordinates": {"lat": -1.46, "lon": 29.36},
            "actions_taken": "Chauffeur examiné au centre de santé (contusion, pas "
            "d'hospitalisation). Tous les mouvements ASF sur la RN2 au nord de Goma suspendus "
            "jusqu'à nouvel ordre. UNDSS prévenu par téléphone à 07h05.",
            "help_needed": "Informations sur d'autres faux barrages signalés sur l'axe ce "
            "matin ; avis d'UNDSS avant toute reprise des mouvements.",
            "affected": {"national": {"injured": 1}},
        },
    }


def _robbery_update(s: Scene) -> dict[str, Any]:
    flash = s.report["demo:rn2-robbery-flash"]
    return {
        "type": "incident",
        "stage": "update",
        "incident_id": flash,
        "supersedes": flash,
        "area": "CD6102",
        "category": "armed_robbery",
        "severity": "severe",
        "occurred_at": s.at(2, 6, 40),
        "tlp": "amber",
        "summary": "[DEMO] Mise à jour : faux barrage RN2, véhicule récupéré, mouvements ASF "
        "toujours suspendus",
        "body": {
            "narrative": "[DEMO — scénario fictif] MISE À JOUR du rapport flash. Le véhicule "
            "a été récupéré à 11h00 par l'équipe logistique, accompagnée de la PNC : vitres "
            "brisées, radio VHF arrachée. Les assaillants parlaient kinyarwanda et swahili. "
            "Deux véhicules de commerçants auraient été dépouillés au même endroit entre 06h00 "
            "et 07h00. Le chauffeur a repris le travail.",
            "location": "RN2, PK 42, entre Kibumba et Rugari",
            "coordinates": {"lat": -1.46, "lon": 29.36},
            "attack_context": "ambush",
            "location_type": "road",
            "actor_type": "unknown",
            "perpetrators": "5 à 6 hommes armés (AK-47), tenues militaires dépareillées, "
            "parlant kinyarwanda et swahili.",
            "witnesses": "Les chauffeurs des deux véhicules de commerçants.",
            "assets": "Environ 450 USD, 3 téléphones, 1 ordinateur portable, radio VHF du "
            "véhicule.",
            "actions_taken": "Plainte déposée au commissariat de Kibumba. Suspension des "
            "mouvements sur la RN2 nord maintenue 72 h. Briefing de tout le staff sur la "
            "conduite à tenir à un barrage (ne pas résister, remettre les biens).",
            "help_needed": "Retour des partenaires qui ont des mouvements prévus sur l'axe "
            "cette semaine.",
            "affected": {"national": {"injured": 1}},
            "gender": "3 hommes",
        },
    }


def _detention(s: Scene) -> dict[str, Any]:
    when = s.at(1, 14, 15)
    return {
        "type": "incident",
        "stage": "flash",
        "area": "CD6103",
        "category": "arrest_detention",
        "severity": "severe",
        "occurred_at": when,
        # Named organisation only, and TLP:RED: a staff member's safety depends on discretion.
        "tlp": "red",
        "audience": {"organisations": [s.organisation["UNDSS Nord-Kivu"]]},
        "summary": "[DEMO] Arrestation d'un staff national à Masisi, motif non communiqué",
        "body": {
            "narrative": f"[DEMO — scénario fictif] Le {when:%d/%m} vers 14h15, notre chargé "
            "de protection (staff national, M. K.) a été interpellé au bureau de Masisi-centre "
            "par trois agents en civil se présentant comme des services de renseignement, puis "
            "conduit au cachot local. Aucun motif communiqué, pas de violence constatée. Il "
            "avait animé la veille une session de sensibilisation sur les droits des déplacés.",
            "who_involved": "Un staff national ASF (chargé de protection). Agents en civil se "
            "présentant comme services de l'État.",
            "what_happened": "Arrestation et détention sans motif communiqué.",
            "location": "Bureau ASF de Masisi-centre, puis cachot local",
            "attack_context": "detention",
            "location_type": "office_compound",
            "actor_type": "state",
            "motive": "Inconnu ; lien possible avec les activités de protection",
            "gender": "homme",
            "actions_taken": "Direction pays et siège informés ; famille informée ; avocat "
            "partenaire contacté ; activités de protection à Masisi suspendues. Aucune "
            "communication publique.",
            "help_needed": "Appui discret d'UNDSS auprès des autorités provinciales pour "
            "connaître le motif et obtenir l'accès au détenu. Ne pas diffuser au-delà des "
            "destinataires (TLP:RED).",
            "affected": {"national": {"detained": 1}},
        },
    }


def _sitrep(s: Scene) -> dict[str, Any]:
    end = s.at(1, 18)
    start = end - dt.timedelta(days=6)
    return {
        "type": "situation",
        "area": "CD61",
        "severity": "moderate",
        "occurred_at": end,
        "tlp": "amber",
        "audience": {"scope": "area"},
        "summary": "[DEMO] North Kivu weekly sitrep: 3 incidents affecting partners, RN2 north "
        "of Goma to be avoided",
        "body": {
            "period_start": start.date().isoformat(),
            "period_end": end.date().isoformat(),
            "narrative": "[DEMO — fictitious scenario] The security situation in North Kivu "
            "remained volatile. Armed clashes were reported around Kibumba and Rugari on two "
            "days, with displacement towards Goma. Crime on the RN2 north of Goma increased: "
            "at least three fake checkpoints, one of them affecting an SLT partner (armed "
            "robbery, one staff member slightly injured). In Goma, an NGO office received a "
            "threatening letter demanding money. A national staff member of a partner was "
            "arrested in Masisi (details shared with the organisations concerned only).",
            "analysis": "The fake checkpoints are most likely run by criminal elements taking "
            "advantage of the redeployment of army positions; early-morning movements are the "
            "most exposed. The extortion letters in Goma follow a pattern seen in previous "
            "years.",
            "outlook": "Clashes are likely to continue around Kibumba; road crime will stay "
            "high while troops are redeployed.",
            "recommendations": "Avoid the RN2 north of Kibumba except in the joint convoy; no "
            "movement before 08:00 or after 15:00; report any fake checkpoint at once; do not "
            "pay extortion demands, inform UNDSS.",
            "sources": "UNDSS field network, SLT partners, local authorities.",
        },
    }


def _convoy_plan(s: Scene) -> dict[str, Any]:
    return {
        # Operational planning is shared only where cooperation is enhanced (the policy).
        "type": "operational_plan",
        "area": "CD6102",
        "severity": "moderate",
        "occurred_at": s.at(1, 10),
        "tlp": "amber+strict",
        "summary": "[DEMO] Joint convoy Goma–Rutshuru on the RN2: movement windows and procedures",
        "body": {
            "title": "Joint convoy Goma – Rutshuru (RN2), twice a week",
            "narrative": "[DEMO — fictitious scenario] After the fake checkpoints on the RN2, "
            "UNDSS organises a joint convoy on Tuesdays and Fridays for SLT partners that must "
            "travel between Goma and Rutshuru. UNDSS provides the lead vehicle; an armed "
            "escort only as a last resort and with the partners' agreement.",
            "measures": "Assembly 07:30 at the UNDSS compound, departure 08:00, at most 8 "
            "vehicles. Each vehicle carries a VHF radio and a satellite phone checked the day "
            "before. Radio check every 30 minutes on the security channel; no stop between "
            "Kibumba and Rugari; the convoy leader decides to turn back. Arrival confirmed to "
            "the UNDSS radio room. Passenger lists by 16:00 the day before.",
            "applies_to": "SLT partners travelling on the RN2 between Goma and Rutshuru",
            "location": "RN2 Goma – Rutshuru",
        },
    }


def _kalehe_alert(s: Scene) -> dict[str, Any]:
    until = (s.now + dt.timedelta(days=2)).replace(microsecond=0)
    return {
        "type": "alert",
        "area": "CD6201",
        "category": "civil_unrest_mob",
        "severity": "moderate",
        "occurred_at": s.at(1, 17),
        # GREEN: any partner of the area may pass it on without asking.
        "tlp": "green",
        "expires_at": until,
        "summary": "[DEMO] Manifestations annoncées à Kalehe-centre, barricades possibles sur "
        "l'axe Kalehe–Minova",
        "body": {
            "narrative": "[DEMO — scénario fictif] Des associations de jeunes ont annoncé des "
            "manifestations à Kalehe-centre pour protester contre l'insécurité routière. "
            "Barricades et jets de pierres possibles sur l'axe Kalehe–Minova (RN2 sud).",
            "advice": "Reporter les mouvements non essentiels sur l'axe Kalehe–Minova pendant "
            "la durée de l'alerte. Si un mouvement est indispensable : passer avant 07h00, "
            "éviter le marché central, ne jamais forcer une barricade, faire demi-tour.",
            "valid_until": until,
            "location": "Kalehe-centre et axe Kalehe–Minova",
            "sources": "Autorités locales, réseau communautaire.",
        },
    }


def _robbery_final(s: Scene) -> dict[str, Any]:
    when = s.at(2, 6, 40)
    return {
        "type": "incident",
        "stage": "final",
        "incident_id": s.report["demo:rn2-robbery-flash"],
        "supersedes": s.report["demo:rn2-robbery-update"],
        "area": "CD6102",
        "category": "armed_robbery",
        "severity": "severe",
        "occurred_at": when,
        "tlp": "amber",
        "summary": "[DEMO] Final report: armed robbery at a fake checkpoint on the RN2, no "
        "lasting injury",
        "body": {
            "narrative": f"[DEMO — fictitious scenario] FINAL REPORT. On {when:%d %B} at about "
            "06:40 an ASF vehicle with three national staff, travelling from Goma to Rutshuru, "
            "was stopped at a fake checkpoint at km 42 of the RN2 between Kibumba and Rugari. "
            "Five to six armed men in mixed uniforms took cash, phones and a laptop; the "
            "driver was hit with a rifle butt. The team complied and was released after about "
            "20 minutes. The vehicle was recovered the same day with the police. Two traders' "
            "vehicles were robbed at the same place that morning.",
            "who_involved": "Three ASF national staff (driver, two programme officers).",
            "what_happened": "Armed robbery at a fake checkpoint.",
            "location": "RN2, km 42, between Kibumba and Rugari",
            "coordinates": {"lat": -1.46, "lon": 29.36},
            "attack_context": "ambush",
            "location_type": "road",
            "actor_type": "criminal",
            "motive": "Economic (robbery)",
            "perpetrators": "5–6 armed men (AK-47), mixed military clothing, speaking "
            "Kinyarwanda and Swahili; assessed as a criminal group, not an armed group "
            "position.",
            "witnesses": "The drivers of two traders' vehicles.",
            "assets": "About USD 450, 3 phones, 1 laptop, the vehicle's VHF radio; "
            "windscreen broken.",
            "affected": {"national": {"injured": 1}},
            "gender": "3 men",
            "actions_taken": "Driver treated at the health centre (bruise) and back at work. "
            "Complaint filed with the police in Kibumba. ASF movements on the RN2 north of "
            "Goma only in the joint convoy. All staff briefed on conduct at checkpoints.",
            "help_needed": "None now. Partners: please keep reporting fake checkpoints on the "
            "RN2 so that the convoy days can be adjusted.",
            "analysis": "The vehicle left at 06:15, before the 08:00 window the area's "
            "security plan recommends; the team's compliance likely prevented worse. "
            "Lessons: respect movement windows, carry little cash, brief drivers on known "
            "checkpoint locations before each trip.",
            "sources": "The three staff members, the police in Kibumba, UNDSS.",
        },
    }


@dataclass(frozen=True)
class DemoReport:
    # The Idempotency-Key the author publishes it with: how a later run knows it is there.
    key: str
    author: str
    build: Callable[[Scene], dict[str, Any]]
    # Attach the generated sketch of the site (only when the hub's data directory is known).
    sketch: bool = False


# In publication order: later reports refer to earlier ones (incident_id, supersedes).
REPORTS = [
    DemoReport("demo:goma-threat-letter", JB, _threat_letter),
    DemoReport("demo:rn2-robbery-flash", JB, _robbery_flash),
    DemoReport("demo:rn2-robbery-update", JB, _robbery_update),
    DemoReport("demo:masisi-detention", JB, _detention),
    DemoReport("demo:north-kivu-sitrep", AMINA, _sitrep),
    DemoReport("demo:rn2-convoy-plan", AMINA, _convoy_plan),
    DemoReport("demo:kalehe-alert", AMINA, _kalehe_alert),
    DemoReport("demo:rn2-robbery-final", JB, _robbery_final, sketch=True),
]
# The recipient that asks the originator to pass a report on, and to whom.
SHARE_REQUEST = (
    AMINA,
    "demo:rn2-robbery-final",
    "Secours Grands Lacs",
    "[DEMO] Secours Grands Lacs prépare des mouvements sur la RN2 entre Goma et Rutshuru la "
    "semaine prochaine ; le rapport final les aiderait à adapter leurs mesures.",
)


def sketch_png() -> bytes:
    """A 96×64 sketch of the site — a road and a red cross where the checkpoint stood —
    drawn here so that the demo ships no binary file."""
    width, height = 96, 64
    rows = []
    for y in range(height):
        row = bytearray(b"\x00")  # PNG filter type 0 for each scanline
        for x in range(width):
            dx, dy = abs(x - 60), abs(y - 32)
            if dx <= 8 and abs(dx - dy) <= 1:
                row += b"\xc8\x1e\x1e"
            elif 27 <= y <= 37:
                row += b"\x80\x80\x80"
            else:
                row += b"\xeb\xe6\xd2"
        rows.append(bytes(row))

    def chunk(tag: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(tag + data)
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"".join(rows)))
        + chunk(b"IEND", b"")
    )


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
