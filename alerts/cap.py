"""The public CAP 1.2 feed: cooperation-level changes and TLP:CLEAR alerts, nothing else.

Guarantees:
- each alert is an OASIS CAP 1.2 document (built with lxml; tests validate every shape against
  the OASIS schema vendored at alerts/schemas/CAP-v1.2.xsd, and `alert_xml(validate=True)`
  does so at run time), with scope Public, category Security, one `info` per language (fr-FR,
  en-US), the area as areaDesc plus its P-code as a geocode;
- only what may be public enters: a report is refused unless its TLP is CLEAR, and even then
  only its header facts and its author's alert summary are used;
- updates and cancellations reference the alert they supersede (`sender,identifier,sent`);
- our severity maps onto CAP's urgency/severity/certainty by a fixed table (docs/alerts.md).

Against: a feed that aggregators reject (CAP consumers validate strictly), and a restricted
report leaking to the public through a convenience feed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from functools import lru_cache
from pathlib import Path

from lxml import etree

from alerts import labels
from alerts.facts import LevelChangeFacts, MsgType, ReportFacts
from alerts.labels import Language

CAP_NS = "urn:oasis:names:tc:emergency:cap:1.2"
ATOM_NS = "http://www.w3.org/2005/Atom"
SCHEMA_PATH = Path(__file__).parent / "schemas" / "CAP-v1.2.xsd"
CAP_LANGUAGES: dict[Language, str] = {"fr": "fr-FR", "en": "en-US"}
GEOCODE_NAME = "P-code"
# CAP 1.2 §3.2.1: identifier and sender must not contain spaces, commas or < &.
_CAP_TOKEN = re.compile(r"^[^\s,<&]+$")


class CapStatus(StrEnum):
    ACTUAL = "Actual"
    EXERCISE = "Exercise"


class CapInvalid(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class CapReference:
    sender: str
    identifier: str
    sent: datetime

    def __str__(self) -> str:
        return f"{self.sender},{self.identifier},{cap_time(self.sent)}"


@dataclass(frozen=True, slots=True)
class CapAlert:
    identifier: str
    sender: str
    sent: datetime
    link: str
    level_change: LevelChangeFacts | None = None
    report: ReportFacts | None = None
    msg_type: MsgType = MsgType.ALERT
    status: CapStatus = CapStatus.ACTUAL
    references: tuple[CapReference, ...] = ()
    sender_name: str = "SLT Hub"

    def __post_init__(self) -> None:
        if (self.level_change is None) == (self.report is None):
            raise ValueError("a CAP alert is about one level change or one report")
        if self.report is not None and self.report.tlp != "clear":
            raise ValueError("only TLP:CLEAR reports go to the public CAP feed")
        for token in (self.identifier, self.sender):
            if not _CAP_TOKEN.match(token):
                raise ValueError(
                    f"CAP identifier/sender may not contain spaces, ',' '<' '&': {token!r}"
                )
        if self.msg_type is not MsgType.ALERT and not self.references:
            raise ValueError("an Update or Cancel references the alert it supersedes")


def cap_time(moment: datetime) -> str:
    """CAP's dateTime: seconds, explicit offset, never 'Z' (the schema's pattern)."""
    if moment.tzinfo is None:
        raise ValueError("CAP times must be timezone-aware")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")


_RISK_SEVERITY = {
    "very_low": "Minor",
    "low": "Minor",
    "medium": "Moderate",
    "high": "Severe",
    "very_high": "Extreme",
    "unacceptable": "Extreme",
}
_REPORT_URGENCY = {
    "extreme": "Immediate",
    "severe": "Immediate",
    "moderate": "Expected",
    "minor": "Future",
}
_REPORT_SEVERITY = {
    "extreme": "Extreme",
    "severe": "Severe",
    "moderate": "Moderate",
    "minor": "Minor",
}
# Incidents and situation reports describe what was seen; alerts and assessments what is
# expected; the rest (procedures, lessons…) are advice.
_REPORT_CERTAINTY = {
    "incident": "Observed",
    "situation": "Observed",
    "alert": "Likely",
    "risk_assessment": "Likely",
}

_EVENT_LEVEL = {"fr": "Changement du niveau de risque SLT", "en": "SLT risk level change"}
_WORDS = {
    "risk": {"fr": "risque", "en": "risk"},
    "no_go": {"fr": "Zone interdite.", "en": "No-go area."},
}


def _sub(parent: etree._Element, tag: str, text: str | None = None) -> etree._Element:
    child = etree.SubElement(parent, f"{{{CAP_NS}}}{tag}")
    if text is not None:
        child.text = text
    return child


def _pair(parent: etree._Element, tag: str, name: str, value: str) -> None:
    holder = _sub(parent, tag)
    _sub(holder, "valueName", name)
    _sub(holder, "value", value)


def _level_info(
    info: etree._Element, change: LevelChangeFacts, lang: Language, sender_name: str
) -> None:
    new_risk = labels.label(labels.RISKS, change.new_risk, lang)
    old_risk = labels.label(labels.RISKS, change.old_risk, lang)
    new_level = labels.label(labels.LEVELS, change.new_level, lang)
    _sub(info, "event", _EVENT_LEVEL[lang])
    if change.no_go:
        _sub(info, "responseType", "Avoid")
    elif change.raised:
        _sub(info, "responseType", "Monitor")
    else:
        _sub(info, "responseType", "AllClear" if change.new_level == "normal" else "Monitor")
    if change.raised:
        urgency = "Immediate" if change.new_level == "enhanced" else "Expected"
    else:
        urgency = "Past"
    _sub(info, "urgency", urgency)
    _sub(info, "severity", _RISK_SEVERITY[change.new_risk])
    _sub(info, "certainty", "Likely")
    _sub(info, "effective", cap_time(change.effective_at))
    _sub(info, "senderName", sender_name)
    risk = _WORDS["risk"][lang]
    headline = f"{change.area_name or change.area_code}: {risk} {new_risk}, {new_level}"
    _sub(info, "headline", headline)
    old_level = labels.label(labels.LEVELS, change.old_level, lang)
    description = f"{risk} {old_risk} → {new_risk}; {old_level} → {new_level}."
    if change.no_go:
        description += " " + _WORDS["no_go"][lang]
    _sub(info, "description", description)


def _report_info(
    info: etree._Element, report: ReportFacts, lang: Language, sender_name: str
) -> None:
    kind = labels.label(labels.REPORT_TYPES, report.report_type, lang)
    what = labels.label(labels.CATEGORIES, report.category, lang) if report.category else None
    _sub(info, "event", what or kind)
    _sub(info, "urgency", _REPORT_URGENCY[report.severity])
    _sub(info, "severity", _REPORT_SEVERITY[report.severity])
    _sub(info, "certainty", _REPORT_CERTAINTY.get(report.report_type, "Possible"))
    _sub(info, "senderName", sender_name)
    severity = labels.label(labels.SEVERITIES, report.severity, lang)
    area = report.area_name or report.area_code
    _sub(info, "headline", f"{severity} — {what or kind} — {area}")
    if report.summary:
        _sub(info, "description", report.summary)


def build_alert(alert: CapAlert) -> etree._Element:
    root = etree.Element(f"{{{CAP_NS}}}alert", nsmap={None: CAP_NS})
    _sub(root, "identifier", alert.identifier)
    _sub(root, "sender", alert.sender)
    _sub(root, "sent", cap_time(alert.sent))
    _sub(root, "status", str(alert.status))
    _sub(root, "msgType", str(alert.msg_type).capitalize())
    _sub(root, "scope", "Public")
    if alert.references:
        _sub(root, "references", " ".join(str(ref) for ref in alert.references))
    subject = alert.level_change or alert.report
    assert subject is not None  # noqa: S101 -- CapAlert.__post_init__ requires exactly one
    area_code, area_name = subject.area_code, subject.area_name
    for lang, cap_lang in CAP_LANGUAGES.items():
        info = _sub(root, "info")
        _sub(info, "language", cap_lang)
        _sub(info, "category", "Security")
        # Children follow the schema's xs:sequence order: event … senderName, headline,
        # description, web, parameter, area.
        if alert.level_change is not None:
            _level_info(info, alert.level_change, lang, alert.sender_name)
        elif alert.report is not None:
            _report_info(info, alert.report, lang, alert.sender_name)
        _sub(info, "web", alert.link)
        # Everything in this feed is public by construction (see CapAlert.__post_init__).
        _pair(info, "parameter", "TLP", "CLEAR")
        if alert.level_change is not None:
            _pair(info, "parameter", "SLT_cooperation_level", alert.level_change.new_level)
            _pair(info, "parameter", "SLT_risk", alert.level_change.new_risk)
        area = _sub(info, "area")
        _sub(area, "areaDesc", area_name or area_code)
        _pair(area, "geocode", GEOCODE_NAME, area_code)
    return root


@lru_cache(maxsize=1)
def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMA_PATH)))


def validate(document: etree._Element) -> None:
    checker = schema()
    if not checker.validate(document):
        raise CapInvalid(str(checker.error_log))


def alert_xml(alert: CapAlert, *, validate_schema: bool = True) -> bytes:
    root = build_alert(alert)
    if validate_schema:
        validate(root)
    xml: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return xml


def feed_xml(
    alerts: list[CapAlert], *, feed_id: str, title: str, self_link: str, updated: datetime
) -> bytes:
    """An Atom feed whose entries carry the CAP alerts inline (application/cap+xml)."""
    atom = f"{{{ATOM_NS}}}"
    feed = etree.Element(f"{atom}feed", nsmap={None: ATOM_NS})
    etree.SubElement(feed, f"{atom}id").text = feed_id
    etree.SubElement(feed, f"{atom}title").text = title
    etree.SubElement(feed, f"{atom}updated").text = cap_time(updated)
    etree.SubElement(feed, f"{atom}link", rel="self", href=self_link)
    author = etree.SubElement(feed, f"{atom}author")
    etree.SubElement(author, f"{atom}name").text = "SLT Hub"
    for alert in alerts:
        entry = etree.SubElement(feed, f"{atom}entry")
        etree.SubElement(entry, f"{atom}id").text = f"urn:slthub:cap:{alert.identifier}"
        cap = build_alert(alert)
        validate(cap)
        headline = cap.find(f"{{{CAP_NS}}}info/{{{CAP_NS}}}headline")
        entry_title = headline.text if headline is not None and headline.text else alert.identifier
        etree.SubElement(entry, f"{atom}title").text = entry_title
        etree.SubElement(entry, f"{atom}updated").text = cap_time(alert.sent)
        etree.SubElement(entry, f"{atom}link", rel="alternate", href=alert.link)
        content = etree.SubElement(entry, f"{atom}content", type="application/cap+xml")
        content.append(cap)
    xml: bytes = etree.tostring(feed, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return xml
