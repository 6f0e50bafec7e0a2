"""The demo's reports: a week of incidents around Goma and Bukavu told through eight reports
(a threat letter, a robbery and its updates, a detention, a situation report, a convoy plan,
an alert), each built from one `Scene` so dates and areas stay consistent, plus the share
request and the sketch attached to one report. Data only; hub/demo.py publishes them.
"""

from __future__ import annotations

import datetime as dt
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

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
