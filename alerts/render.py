"""Rendering an alert: subject, plain text, HTML and SMS from templates, in French or English.

Guarantees:
- the only input is an `AlertFacts` and a `Recipient` (alerts/facts.py): templates see a context
  built field by field from them, so a report body cannot reach a template through this API;
- HTML is autoescaped (Jinja2 `select_autoescape`), so an author's summary cannot inject markup
  or links into a liaison's mailbox; templates use StrictUndefined, so a misspelt variable fails
  loudly in tests instead of rendering an empty fact;
- every rendering carries the recipient's anti-phishing phrase;
- the SMS fits `SMS_MAX_SEGMENTS` (2): the summary is shortened cleanly to make room, and as a
  last resort the link is left out (the email carries it); if even that does not fit the
  designation is out of bounds and `SmsTooLong` is raised.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import jinja2

from alerts import labels
from alerts.channels.base import DeliveryKey, OutgoingMessage
from alerts.facts import (
    AckFacts,
    AckRequest,
    AlertFacts,
    AlertKind,
    BriefingFacts,
    EscalationFacts,
    FailureFacts,
    InvitationFacts,
    LevelChangeFacts,
    MsgType,
    PeriodicFacts,
    Recipient,
    ReportFacts,
    ShareFacts,
)
from alerts.labels import Language
from alerts.segments import SmsTooLong, fit_text, gsm_friendly

_BLANK_LINES = re.compile(r"\n{3,}")
TEMPLATES = Path(__file__).parent / "templates"
SMS_MAX_SEGMENTS = 2
TEMPLATE_FILES = ("subject.txt", "body.txt", "body.html", "sms.txt")


@dataclass(frozen=True, slots=True)
class RenderedAlert:
    kind: AlertKind
    language: Language
    subject: str
    text: str
    html: str
    sms: str | None  # None when rendered for email only


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html",), default=False),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        # Templates ship with the package; checking their mtimes on every render (two stat
        # calls per template) was a tenth of the cost of a fan-out.
        auto_reload=False,
    )


def _date(day: datetime | Any, language: Language) -> str:
    return day.strftime("%d/%m/%Y" if language == "fr" else "%d %b %Y")


def _hour(moment: datetime, recipient: Recipient) -> str:
    local = moment.astimezone(recipient.zone)
    if recipient.language == "fr":
        return local.strftime("%d/%m/%Y %Hh") + f" ({recipient.timezone})"
    return local.strftime("%d %b %Y %H:00") + f" ({recipient.timezone})"


def _hour_short(moment: datetime, recipient: Recipient) -> str:
    local = moment.astimezone(recipient.zone)
    return local.strftime("%d/%m %Hh" if recipient.language == "fr" else "%d/%m %H:00")


def _minute(moment: datetime, recipient: Recipient) -> str:
    local = moment.astimezone(recipient.zone)
    fmt = "%d/%m/%Y %H:%M" if recipient.language == "fr" else "%d %b %Y %H:%M"
    return local.strftime(fmt) + f" ({recipient.timezone})"


def _report(report: ReportFacts, recipient: Recipient) -> dict[str, Any]:
    lang = recipient.language
    return {
        "id": report.report_id,
        "type": labels.label(labels.REPORT_TYPES, report.report_type, lang),
        "stage": labels.label(labels.STAGES, report.stage, lang) if report.stage else "",
        "area_code": report.area_code,
        "area_name": report.area_name,
        "category": labels.label(labels.CATEGORIES, report.category, lang)
        if report.category
        else "",
        "category_sms": labels.label(labels.CATEGORIES_SMS, report.category, lang)
        if report.category
        else "",
        "severity": labels.label(labels.SEVERITIES, report.severity, lang),
        "severity_code": report.severity,
        "tlp": labels.label(labels.TLPS, report.tlp, lang),
        "occurred_on": _date(report.occurred_on, lang),
        "reported_at": _hour(report.reported_at, recipient),
        "reported_at_short": _hour_short(report.reported_at, recipient),
        "summary": report.summary or "",
    }


def _level(change: LevelChangeFacts, recipient: Recipient) -> dict[str, Any]:
    lang = recipient.language
    return {
        "area_code": change.area_code,
        "area_name": change.area_name,
        "old_risk": labels.label(labels.RISKS, change.old_risk, lang),
        "new_risk": labels.label(labels.RISKS, change.new_risk, lang),
        "old_level": labels.label(labels.LEVELS, change.old_level, lang),
        "new_level": labels.label(labels.LEVELS, change.new_level, lang),
        "new_level_code": change.new_level,
        "level_changed": change.old_level != change.new_level,
        "raised": change.raised,
        "no_go": change.no_go,
        "effective_at": _minute(change.effective_at, recipient),
        "effective_short": _hour_short(change.effective_at, recipient),
    }


def _ack(ack: AckRequest, recipient: Recipient) -> dict[str, Any]:
    return {
        "code": ack.code,
        "link": ack.link,
        "deadline": _minute(ack.deadline, recipient),
        "deadline_short": ack.deadline.astimezone(recipient.zone).strftime("%H:%M"),
    }


def _escalation(esc: EscalationFacts) -> dict[str, Any]:
    return {
        "step": esc.step,
        "not_acknowledged_by": esc.not_acknowledged_by,
        "organisation": esc.organisation,
        "waited_minutes": esc.waited_minutes,
    }


def _acknowledged(ack: AckFacts, recipient: Recipient) -> dict[str, Any]:
    return {"by": ack.acknowledged_by, "at": _minute(ack.acknowledged_at, recipient)}


def _failure(failure: FailureFacts, lang: Language) -> dict[str, Any]:
    return {
        "liaison_name": failure.liaison_name,
        "channel": labels.label(labels.CHANNELS, failure.channel, lang),
        "address_hint": failure.address_hint,
        "attempts": failure.attempts,
        "reason": failure.reason,
        "fallback_channel": labels.label(labels.CHANNELS, failure.fallback_channel, lang)
        if failure.fallback_channel
        else "",
    }


def _share(share: ShareFacts, lang: Language) -> dict[str, Any]:
    return {
        "requester": share.requester,
        "target": share.target,
        "outcome": share.outcome,
        "outcome_label": labels.label(labels.SHARE_OUTCOMES, share.outcome, lang),
        "outcome_sms": labels.label(labels.SHARE_OUTCOMES_SMS, share.outcome, lang),
    }


def _invitation(invitation: InvitationFacts, recipient: Recipient) -> dict[str, Any]:
    return {
        "organisation": invitation.organisation,
        "invited_by": invitation.invited_by,
        "expires_at": _minute(invitation.expires_at, recipient),
    }


def _periodic(report: PeriodicFacts, lang: Language) -> dict[str, Any]:
    change = report.total - report.previous_total
    return {
        "area_code": report.area_code,
        "area_name": report.area_name,
        "start": _date(report.start, lang),
        "end": _date(report.end, lang),
        "start_short": report.start.strftime("%d/%m"),
        "end_short": report.end.strftime("%d/%m"),
        "total": report.total,
        "previous_total": report.previous_total,
        "change": change,
        "percent": round(100 * change / report.previous_total) if report.previous_total else None,
        "risk": labels.label(labels.RISKS, report.risk, lang),
        "level": labels.label(labels.LEVELS, report.level, lang),
        "categories": [
            {"name": labels.label(labels.CATEGORIES, code, lang), "count": count}
            for code, count in report.categories
        ],
    }


_WEEKDAYS = {
    "fr": ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}


def _briefing(briefing: BriefingFacts, lang: Language) -> dict[str, Any]:
    """Times in the area's zone, not the reader's: the meeting happens there, and the
    calendar attached converts it for the reader's own calendar."""
    local = briefing.starts_at.astimezone(ZoneInfo(briefing.timezone))
    day = _WEEKDAYS[lang][local.weekday()]
    fmt = "%d/%m/%Y %H:%M" if lang == "fr" else "%d %b %Y %H:%M"
    return {
        "area_code": briefing.area_code,
        "area_name": briefing.area_name,
        "start": f"{day} {local.strftime(fmt)} ({briefing.timezone})",
        "start_short": local.strftime("%d/%m %H:%M"),
        "time": local.strftime("%H:%M"),
        "weekday": day,
        "timezone": briefing.timezone,
        "duration_minutes": briefing.duration_minutes,
        "place": briefing.place,
        "agenda": briefing.agenda,
        "organiser": briefing.organiser,
        "cancelled": briefing.cancelled,
        "moved": briefing.moved,
        "series_status": briefing.series_status,
        "every": labels.label(labels.BRIEFINGS, briefing.every, lang) if briefing.every else "",
    }


def context(facts: AlertFacts, recipient: Recipient) -> dict[str, Any]:
    """The whole of what a template can see."""
    lang = recipient.language
    ctx: dict[str, Any] = {
        "lang": lang,
        "kind": str(facts.kind),
        "phrase": recipient.anti_phishing_phrase,
        "recipient_name": recipient.name,
        "link": facts.link,
        "msg_type": str(facts.msg_type),
        "msg_label": labels.label(labels.MSG_TYPES, str(facts.msg_type), lang),
        "msg_label_sms": labels.label(labels.MSG_TYPES_SMS, str(facts.msg_type), lang),
        "is_update": facts.msg_type is MsgType.UPDATE,
        "is_cancel": facts.msg_type is MsgType.CANCEL,
        "report": _report(facts.report, recipient) if facts.report else None,
        "level": _level(facts.level_change, recipient) if facts.level_change else None,
        "ack": _ack(facts.ack, recipient) if facts.ack else None,
        "escalation": _escalation(facts.escalation) if facts.escalation else None,
        "acknowledged": _acknowledged(facts.acknowledged, recipient)
        if facts.acknowledged
        else None,
        "failure": _failure(facts.failure, lang) if facts.failure else None,
        "share": _share(facts.share, lang) if facts.share else None,
        "invitation": _invitation(facts.invitation, recipient) if facts.invitation else None,
        "periodic": _periodic(facts.periodic, lang) if facts.periodic else None,
        "briefing": _briefing(facts.briefing, lang) if facts.briefing else None,
        "digest": None,
    }
    if facts.digest_period is not None:
        start, end = facts.digest_period
        items = [_report(item, recipient) for item in facts.digest_items]
        ctx["digest"] = {
            "items": items,
            "count": len(items),
            "start": _date(start.astimezone(recipient.zone), lang),
            "end": _date(end.astimezone(recipient.zone), lang),
        }
    return ctx


def _template(kind: AlertKind, language: Language, name: str) -> jinja2.Template:
    return environment().get_template(f"{kind}/{language}/{name}")


def render_sms(facts: AlertFacts, recipient: Recipient) -> str:
    ctx = context(facts, recipient)
    template = _template(facts.kind, recipient.language, "sms.txt")
    summary = gsm_friendly(ctx["report"]["summary"]) if ctx["report"] else ""
    phrase = gsm_friendly(recipient.anti_phishing_phrase)

    def render(piece: str, link: str) -> str:
        # The summary and the phrase are typed by people; the templates' own text is plain.
        text = template.render({**ctx, "phrase": phrase, "sms_summary": piece, "sms_link": link})
        # Optional parts leave blank lines behind; each would cost a character.
        return "\n".join(line.strip() for line in text.splitlines() if line.strip())

    def with_link(piece: str) -> str:
        return render(piece, facts.link)

    def without_link(piece: str) -> str:
        return render(piece, "")

    try:
        return fit_text(with_link, summary, SMS_MAX_SEGMENTS)
    except SmsTooLong:
        return fit_text(without_link, summary, SMS_MAX_SEGMENTS)


def render_alert(
    facts: AlertFacts, recipient: Recipient, *, with_sms: bool = True
) -> RenderedAlert:
    """Render every variant; `with_sms=False` skips the SMS (its fitting is the costly part)
    when the liaison receives this alert by email only."""
    if not isinstance(facts, AlertFacts) or not isinstance(recipient, Recipient):
        raise TypeError("render_alert takes AlertFacts and a Recipient, nothing else")
    ctx = context(facts, recipient)
    lang = recipient.language
    subject = " ".join(_template(facts.kind, lang, "subject.txt").render(ctx).split())
    return RenderedAlert(
        kind=facts.kind,
        language=lang,
        subject=subject,
        text=_BLANK_LINES.sub("\n\n", _template(facts.kind, lang, "body.txt").render(ctx)).strip()
        + "\n",
        html=_template(facts.kind, lang, "body.html").render(ctx),
        sms=render_sms(facts, recipient) if with_sms else None,
    )


def email_message(
    rendered: RenderedAlert,
    *,
    key: DeliveryKey,
    to: str,
    supersedes: DeliveryKey | None = None,
) -> OutgoingMessage:
    """The email for one liaison, ready for `EmailChannel.send` (a briefing invitation
    adds its calendar: `dataclasses.replace(message, calendar=…)`)."""
    return OutgoingMessage(
        key=key,
        to=to,
        subject=rendered.subject,
        text=rendered.text,
        html=rendered.html,
        language=rendered.language,
        supersedes=supersedes,
    )


def sms_message(rendered: RenderedAlert, *, key: DeliveryKey, to: str) -> OutgoingMessage:
    """The SMS for one liaison, ready for `SmsChannel.send` (already within two segments)."""
    if rendered.sms is None:
        raise ValueError("rendered with with_sms=False")
    return OutgoingMessage(
        key=key, to=to, subject=rendered.subject, text=rendered.sms, language=rendered.language
    )
