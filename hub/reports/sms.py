"""Flash reports by SMS, for when there is no data connection.

A member whose liaison designation has a *confirmed* phone number (the code sent to it and
typed back: alerts.designations, the one confirmation mechanism) may send to the hub's number

    FLASH <area name or code> <category> <severity> <text>

e.g. `FLASH Rutshuru braquage grave Convoi arrêté au PK 42, personne blessé`. Keywords in
French or English (CATEGORY_WORDS, SEVERITY_WORDS), any case, accents optional. The hub
publishes a flash incident from that member for their organisation — sealed at once, with
public keys only, to the recipients the policy gives for the area's level, and attested by
the hub (it cannot sign as the organisation: readers see "received by SMS from a registered
phone of <organisation>, attested by the hub"). The SMS gateway and the hub see the text in
clear (docs/threat-model.md).

The sender gets an SMS back in the language of their designation: the report's short
reference, or what was wrong and the syntax. A number no member confirmed gets nothing and
creates nothing; a replayed callback (the gateway's message id again) publishes nothing new.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

import policies
from alerts.channels.base import Outcome
from alerts.channels.sms import parse_sms_gateway
from alerts.models import LiaisonContact, LiaisonDesignation
from hub.actors import Actor
from hub.areas.models import Area, OrganisationPresence
from hub.areas.service import policy_areas
from hub.errors import HubError, validation_message
from hub.i18n import current_locale
from hub.i18n import gettext as _
from hub.members.models import Member, MemberStatus
from hub.organisations.models import OrganisationStatus
from hub.reports import service
from hub.reports.schemas import ReportCreate
from policies import Policy
from policies.vocabulary import Category, Severity

log = logging.getLogger("slthub.reports.sms")

KEYWORD = "flash"

# One or more words per category and severity, French and English, folded (no accents,
# lower case); the code itself is always understood too.
CATEGORY_WORDS: dict[str, Category] = {
    **{c.value: c for c in Category},
    "tirs": Category.SHOOTING,
    "shooting": Category.SHOOTING,
    "explosif": Category.EXPLOSIVE_IED,
    "ied": Category.EXPLOSIVE_IED,
    "bombardement": Category.INDIRECT_FIRE_AIRSTRIKE,
    "airstrike": Category.INDIRECT_FIRE_AIRSTRIKE,
    "attaque": Category.COMPLEX_ATTACK,
    "attack": Category.COMPLEX_ATTACK,
    "mine": Category.LANDMINE_UXO,
    "affrontement": Category.ARMED_CLASH_CROSSFIRE,
    "clash": Category.ARMED_CLASH_CROSSFIRE,
    "agression": Category.BODILY_ASSAULT,
    "assault": Category.BODILY_ASSAULT,
    "vbg": Category.SEXUAL_VIOLENCE,
    "sexual": Category.SEXUAL_VIOLENCE,
    "enlevement": Category.KIDNAPPING_ABDUCTION,
    "kidnapping": Category.KIDNAPPING_ABDUCTION,
    "disparition": Category.DISAPPEARANCE,
    "disappearance": Category.DISAPPEARANCE,
    "arrestation": Category.ARREST_DETENTION,
    "arrest": Category.ARREST_DETENTION,
    "braquage": Category.ARMED_ROBBERY,
    "robbery": Category.ARMED_ROBBERY,
    "vol": Category.THEFT_BURGLARY,
    "theft": Category.THEFT_BURGLARY,
    "pillage": Category.LOOTING_PROPERTY_DAMAGE,
    "looting": Category.LOOTING_PROPERTY_DAMAGE,
    "menace": Category.THREAT_INTIMIDATION_HARASSMENT,
    "threat": Category.THREAT_INTIMIDATION_HARASSMENT,
    "emeute": Category.CIVIL_UNREST_MOB,
    "riot": Category.CIVIL_UNREST_MOB,
    "barrage": Category.ACCESS_OBSTRUCTION,
    "roadblock": Category.ACCESS_OBSTRUCTION,
    "fraude": Category.FRAUD_CYBER,
    "fraud": Category.FRAUD_CYBER,
    "accident": Category.ROAD_TRAFFIC_ACCIDENT,
    "catastrophe": Category.NATURAL_HAZARD,
    "hazard": Category.NATURAL_HAZARD,
    "autre": Category.OTHER,
}
SEVERITY_WORDS: dict[str, Severity] = {
    **{s.value: s for s in Severity},
    "extreme": Severity.EXTREME,
    "grave": Severity.SEVERE,
    "moderee": Severity.MODERATE,
    "modere": Severity.MODERATE,
    "mineure": Severity.MINOR,
    "mineur": Severity.MINOR,
}


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@dataclass(frozen=True)
class Parsed:
    area: str
    category: Category
    severity: Severity
    text: str


class SmsSyntaxError(ValueError):
    """What was wrong, as a message for the sender (already in their language)."""


def syntax_help() -> str:
    return _(
        "Send: FLASH <area> <category> <severity> <text>. Example: FLASH Rutshuru robbery "
        "severe Convoy stopped at km 42. Severity: extreme, severe, moderate, minor."
    )


def parse_keyword(body: str) -> bool:
    """Whether the message is meant as a flash report (its first word is FLASH)."""
    words = body.split()
    return bool(words) and fold(words[0]) == KEYWORD


def parse(body: str) -> Parsed | None:
    """None when the message is not a flash report (it may be an alert acknowledgement);
    SmsSyntaxError when it is one that cannot be read."""
    if not parse_keyword(body):
        return None
    words = body.split()
    for i in range(2, len(words) - 1):
        category = CATEGORY_WORDS.get(fold(words[i]))
        severity = SEVERITY_WORDS.get(fold(words[i + 1]))
        if category is not None and severity is not None:
            text = " ".join(words[i + 2 :])
            if not text:
                missing = _("Say what happened after the severity.")
                raise SmsSyntaxError(f"{missing} {syntax_help()}")
            return Parsed(" ".join(words[1:i]), category, severity, text)
    raise SmsSyntaxError(
        _("The area, a category and a severity are needed, in that order.") + " " + syntax_help()
    )


@dataclass(frozen=True)
class SmsAnswer:
    to: str
    text: str | None  # None: nothing to send back (a replay)
    report_id: str | None = None


@contextmanager
def _language(lang: str) -> Iterator[None]:
    token = current_locale.set(lang if lang in ("fr", "en") else "fr")
    try:
        yield
    finally:
        current_locale.reset(token)


def _sender(session: Session, phone: str) -> tuple[Member, LiaisonDesignation] | None:
    """The one active member whose designation has this number confirmed."""
    rows = session.execute(
        select(Member, LiaisonDesignation)
        .join(LiaisonDesignation, LiaisonDesignation.member_id == Member.id)
        .join(LiaisonContact, LiaisonContact.designation_id == LiaisonDesignation.id)
        .where(
            LiaisonContact.channel == "sms",
            LiaisonContact.address == phone,
            LiaisonContact.confirmed_at.is_not(None),
            Member.status == MemberStatus.ACTIVE,
        )
    ).all()
    if len(rows) != 1:
        return None
    member, designation = rows[0]
    return member, designation


def _area(session: Session, text: str, organisation_id: str) -> str:
    """The area's code from its code or its name (in any language); a name two areas share
    is settled by the organisation's presence, else the sender is asked for the code."""
    wanted = fold(text)
    by_code = session.scalar(select(Area.code).where(Area.code == text.strip().upper()))
    if by_code is not None:
        return by_code
    found = [
        code
        for code, *names in session.execute(
            select(Area.code, Area.name, Area.name_fr, Area.name_en)
        )
        if any(name and fold(name) == wanted for name in names)
    ]
    if len(found) > 1:
        present = set(
            session.scalars(
                select(OrganisationPresence.area_code).where(
                    OrganisationPresence.organisation_id == organisation_id
                )
            )
        )
        tree = policy_areas(session)
        found = [c for c in found if present.intersection(policies.lineage(c, tree))] or found
    if not found:
        raise SmsSyntaxError(
            _("No area is called “%(name)s”: send its name as the hub writes it, or its code.")
            % {"name": text[:40]}
        )
    if len(found) > 1:
        raise SmsSyntaxError(
            _("Several areas are called “%(name)s”: send the code instead (%(codes)s).")
            % {"name": text[:40], "codes": ", ".join(sorted(found)[:4])}
        )
    return found[0]


def _now_there(designation: LiaisonDesignation, now: dt.datetime) -> dt.datetime:
    try:
        return now.astimezone(ZoneInfo(designation.timezone))
    except (ZoneInfoNotFoundError, ValueError):
        return now.astimezone(dt.UTC)


def receive(
    session: Session,
    *,
    phone: str,
    body: str,
    message_id: str,
    policy: Policy,
    data_dir: Path,
    now: dt.datetime,
) -> SmsAnswer | None:
    """A flash report by SMS; None when the message is no flash report or its number is no
    member's confirmed phone (nothing is created, nothing is answered)."""
    if not parse_keyword(body):
        return None
    found = _sender(session, phone)
    if found is None:
        return None
    member, designation = found
    with _language(designation.language):
        try:
            parsed = parse(body)
            assert parsed is not None  # noqa: S101 (the keyword was checked above)
            if member.organisation.status != OrganisationStatus.APPROVED:
                raise SmsSyntaxError(_("Your organisation cannot publish reports now."))
            area = _area(session, parsed.area, member.organisation_id)
            report_in = ReportCreate.model_validate(
                {
                    "type": "incident",
                    "stage": "flash",
                    "area": area,
                    "category": parsed.category.value,
                    "severity": parsed.severity.value,
                    "occurred_at": _now_there(designation, now).replace(microsecond=0),
                    "body": {"what_happened": parsed.text},
                }
            )
            key = "sms:" + hashlib.sha256(f"{phone}\n{message_id}".encode()).hexdigest()[:40]
            published = service.submit_report(
                session,
                actor=Actor(label=f"{member.email} (sms)", member=member),
                report_in=report_in,
                policy=policy,
                data_dir=data_dir,
                idempotency_key=key,
                now=now,
                by_sms=True,
            )
        except SmsSyntaxError as exc:
            session.rollback()
            return SmsAnswer(to=phone, text=str(exc))
        except ValidationError as exc:
            session.rollback()
            why = validation_message(exc.errors()[0])
            return SmsAnswer(to=phone, text=_("Not published: %(why)s") % {"why": why})
        except HubError as exc:
            session.rollback()
            return SmsAnswer(to=phone, text=_("Not published: %(why)s") % {"why": exc.message})
        if not published.created:
            return SmsAnswer(to=phone, text=None, report_id=published.report.id)
        reached = len([o for o in published.recipients if o != member.organisation_id])
        text = _(
            "SLT Hub: flash report published, ref %(ref)s, sent to %(count)d partner "
            "organisation(s). Complete it on the hub when you have data."
        ) % {"ref": short_reference(published.report.id), "count": reached}
        return SmsAnswer(to=phone, text=text, report_id=published.report.id)


def short_reference(report_id: str) -> str:
    return report_id[:8].upper()


def send_reply(gateway_url: str | None, answer: SmsAnswer) -> None:
    """The answer SMS, through the same gateway as the alerts. A failure is logged: the
    report (if any) is published whether or not the answer reaches the phone."""
    if answer.text is None or not gateway_url:
        return
    transport = parse_sms_gateway(gateway_url)
    try:
        result = transport.send(
            answer.to, answer.text, reference=f"sms-reply:{answer.report_id or 'error'}"
        )
    finally:
        transport.close()
    if result.outcome is not Outcome.SENT:
        log.warning("reply SMS not sent: %s", result.detail)
