"""The publish form of the web pages: what a focal point typed, all as text, turned into a
`ReportCreate` — or into field errors in their language, with every value kept so that the
form comes back exactly as it was sent (typing a flash report again on a phone over 2G is
what this must never ask).

Only the shape of the input is checked here; every rule about reports stays in the schemas
and the service.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from hub.errors import HubError, validation_message
from hub.i18n import gettext as _
from hub.reports.schemas import ReportCreate, ReportRead
from policies.vocabulary import ReportType, Stage

# The types the web form publishes; the API publishes every type.
FORM_TYPES: tuple[ReportType, ...] = (ReportType.INCIDENT, ReportType.SITUATION)

SIDES = ("national", "international")
HARMS = ("killed", "injured", "kidnapped", "detained", "missing")
VICTIM_FIELDS = tuple(f"v_{side}_{harm}" for side in SIDES for harm in HARMS)

FLASH_FIELDS = (
    "category",
    "area",
    "occurred_at",
    "severity",
    "who_involved",
    "actions_taken",
    "tlp",
    "summary",
)

# Body fields by report type, as the form names them (the schema's names).
_BODY_TEXT: dict[ReportType, tuple[str, ...]] = {
    ReportType.INCIDENT: (
        "who_involved",
        "what_happened",
        "location",
        "actions_taken",
        "help_needed",
        "narrative",
        "finer_area",
        "gender",
        "attack_context",
        "location_type",
        "actor_type",
        "motive",
        "perpetrators",
        "witnesses",
        "assets",
        "sources",
        "analysis",
    ),
    ReportType.SITUATION: (
        "narrative",
        "location",
        "finer_area",
        "period_start",
        "period_end",
        "outlook",
        "recommendations",
        "sources",
        "analysis",
    ),
}
_HEADER = (
    "type",
    "stage",
    "incident_id",
    "supersedes",
    "area",
    "category",
    "severity",
    "occurred_at",
    "utc_offset",
    "tlp",
    "summary",
    "audience",
    "idempotency_key",
    "lat",
    "lon",
)
_FLAGS = ("anonymous", "show_kind")
AUDIENCES = ("default", "area", "all_partners", "organisations")

# Offsets in use where humanitarian organisations work, half and three-quarter hours included.
_OFFSET_MINUTES = sorted(
    {*range(-12 * 60, 15 * 60, 60), -3 * 60 - 30, 3 * 60 + 30, 4 * 60 + 30, 5 * 60 + 30}
    | {5 * 60 + 45, 6 * 60 + 30, 9 * 60 + 30}
)
UTC_OFFSETS: tuple[str, ...] = tuple(
    f"{'-' if m < 0 else '+'}{abs(m) // 60:02d}:{abs(m) % 60:02d}" for m in _OFFSET_MINUTES
)

_DATETIME = re.compile(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})[T ](\d{1,2})[:h](\d{2})(?::\d{2}(?:\.\d+)?)?$"
)
_DATETIME_FR = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})[ T]+(\d{1,2})[:h](\d{2})$")
_DATE_FR = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


def new_idempotency_key() -> str:
    return secrets.token_urlsafe(18)


def _clean(value: str) -> str:
    # Browsers send CRLF in text areas; a sealed body keeps plain newlines.
    return value.replace("\r\n", "\n").strip()


@dataclass
class PublishForm:
    values: dict[str, str]
    organisations: list[str] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)
    # Messages that belong to no single field.
    problems: list[str] = field(default_factory=list)

    @property
    def type(self) -> ReportType:
        try:
            chosen = ReportType(self.values.get("type", ""))
        except ValueError:
            return ReportType.INCIDENT
        return chosen if chosen in FORM_TYPES else ReportType.INCIDENT

    def value(self, name: str) -> str:
        return self.values.get(name, "")

    def checked(self, name: str) -> bool:
        return self.values.get(name) == "1"

    def add_error(self, name: str | None, message: str) -> None:
        if name and name not in self.errors:
            self.errors[name] = message
        elif not name:
            self.problems.append(message)

    @classmethod
    def blank(cls, *, prefill: Mapping[str, str], utc_offset: str | None = None) -> PublishForm:
        """A new form. `prefill` comes from the address (type, stage, and the earlier report
        an update follows), so only those keys are taken from it."""
        values = {"audience": "default", "idempotency_key": new_idempotency_key()}
        for name in ("type", "stage", "incident_id", "supersedes"):
            text = prefill.get(name, "")
            if text and len(text) <= 40 and "\x00" not in text:
                values[name] = text
        form = cls(values=values)
        values["type"] = form.type.value
        if form.type is ReportType.SITUATION:
            values["severity"] = "minor"
        values["utc_offset"] = utc_offset if utc_offset in UTC_OFFSETS else "+00:00"
        return form

    @classmethod
    def posted(cls, pairs: Iterable[tuple[str, Any]]) -> PublishForm:
        known = {*_HEADER, *_FLAGS, *VICTIM_FIELDS, *_BODY_TEXT[ReportType.INCIDENT]}
        known |= set(_BODY_TEXT[ReportType.SITUATION])
        form = cls(values={})
        for name, raw in pairs:
            if not isinstance(raw, str):
                continue  # a file where text is expected: the form has no file field
            if name == "organisations":
                if raw and raw not in form.organisations:
                    form.organisations.append(raw)
            elif name in known and name not in form.values:
                form.values[name] = _clean(raw)
        if not form.values.get("idempotency_key") or len(form.values["idempotency_key"]) > 200:
            form.values["idempotency_key"] = new_idempotency_key()
        return form

    @classmethod
    def flash(cls, *, utc_offset: str, occurred_at: str) -> PublishForm:
        """A new flash form: an incident's first report, happening now where I am."""
        return cls(
            values={
                "type": ReportType.INCIDENT.value,
                "stage": Stage.FLASH.value,
                "audience": "default",
                "idempotency_key": new_idempotency_key(),
                "utc_offset": utc_offset if utc_offset in UTC_OFFSETS else "+00:00",
                "occurred_at": occurred_at,
            }
        )

    @classmethod
    def posted_flash(cls, pairs: Iterable[tuple[str, Any]]) -> PublishForm:
        """The flash form as sent: only its own questions are taken; it is always an
        incident's flash report to the default audience."""
        taken = {*FLASH_FIELDS, "utc_offset", "idempotency_key"}
        form = cls.posted((name, raw) for name, raw in pairs if name in taken)
        form.values.update(
            type=ReportType.INCIDENT.value, stage=Stage.FLASH.value, audience="default"
        )
        return form

    def prefill_from(self, report: ReportRead) -> None:
        """ "Update this incident": the full form starts from what the earlier report said
        (header and opened body), so the author corrects and adds instead of retyping."""
        header = report.header
        for name in ("area", "category", "severity", "tlp", "summary"):
            value = getattr(header, name, None)
            if value:
                self.values.setdefault(name, str(value))
        if report.precise_area:
            self.values["area"] = report.precise_area
        occurred = report.occurred_at
        if occurred.utcoffset() is not None:
            offset = occurred.strftime("%z")
            offset = f"{offset[:3]}:{offset[3:]}"
            if offset in UTC_OFFSETS:
                self.values["utc_offset"] = offset
        self.values["occurred_at"] = occurred.strftime("%Y-%m-%dT%H:%M")
        content = report.body.model_dump(mode="json", exclude_none=True)
        for name in _BODY_TEXT[ReportType.INCIDENT]:
            value = content.get(name)
            if isinstance(value, str) and value:
                self.values.setdefault(name, value)
        coordinates = content.get("coordinates")
        if isinstance(coordinates, dict):
            self.values.setdefault("lat", str(coordinates.get("lat", "")))
            self.values.setdefault("lon", str(coordinates.get("lon", "")))
        affected = content.get("affected") or {}
        for side in SIDES:
            for harm in HARMS:
                count = (affected.get(side) or {}).get(harm)
                if count:
                    self.values.setdefault(f"v_{side}_{harm}", str(count))

    # --- from text to the schema ---------------------------------------------------------

    def to_report(self) -> ReportCreate | None:
        """The report, or None with `errors` / `problems` filled in."""
        for name, text in self.values.items():
            if "\x00" in text:
                self.add_error(name, _("This value contains a character that cannot be stored."))
        if any("\x00" in org or len(org) > 36 for org in self.organisations):
            self.add_error("audience", _("This value is not one of the allowed choices."))
        if self.values.get("type") not in {t.value for t in FORM_TYPES}:
            self.add_error(None, _("Choose an incident report or a situation report."))
        data = self._data()
        try:
            report = ReportCreate.model_validate(data)
        except ValidationError as exc:
            # Every field's error at once, the form's own (already set) first: one round
            # trip over 2G should show everything that needs correcting.
            for err in exc.errors():
                self.add_error(_field_of(err["loc"]), validation_message(err))
            return None
        return None if self.errors or self.problems else report

    def add_service_error(self, exc: HubError) -> None:
        """A refusal of the service, next to the field it names when the form has it."""
        fields = [e.get("field") for e in exc.extra.get("errors", []) if isinstance(e, dict)]
        name = fields[0] if fields and fields[0] in self._fields() else None
        self.add_error(name, exc.message)

    def _fields(self) -> set[str]:
        return {*_HEADER, *VICTIM_FIELDS, *_BODY_TEXT[self.type]}

    def _text(self, name: str) -> str | None:
        return self.values.get(name) or None

    def _data(self) -> dict[str, Any]:
        report_type = self.type
        data: dict[str, Any] = {"type": report_type.value}
        for name in ("area", "severity", "tlp", "summary", "incident_id", "supersedes"):
            if self._text(name):
                data[name] = self._text(name)
        if report_type is ReportType.INCIDENT:
            data["stage"] = self._text("stage") or Stage.FLASH.value
            if self._text("category"):
                data["category"] = self._text("category")
        occurred = self._occurred_at()
        if occurred is not None:
            data["occurred_at"] = occurred
        audience = self._audience()
        if audience is not None:
            data["audience"] = audience
        data["anonymous"] = self.checked("anonymous")
        data["show_kind"] = self.checked("anonymous") and self.checked("show_kind")
        data["body"] = self._body(report_type)
        return data

    def _occurred_at(self) -> dt.datetime | None:
        text = self.value("occurred_at")
        offset = self.value("utc_offset") or "+00:00"
        if offset not in UTC_OFFSETS:
            self.add_error("utc_offset", _("This value is not one of the allowed choices."))
            offset = "+00:00"  # still read the time, so its own errors show at once
        if not text:
            self.add_error("occurred_at", _("This field is required."))
            return None
        try:
            if (iso := _DATETIME.match(text)) is not None:
                year, month, day, hour, minute = (int(g) for g in iso.groups())
            elif (fr := _DATETIME_FR.match(text)) is not None:
                day, month, year, hour, minute = (int(g) for g in fr.groups())
            else:
                raise ValueError(text)
            sign = -1 if offset[0] == "-" else 1
            tz = dt.timezone(sign * dt.timedelta(hours=int(offset[1:3]), minutes=int(offset[4:])))
            when = dt.datetime(year, month, day, hour, minute, tzinfo=tz)
        except ValueError:
            self.add_error(
                "occurred_at",
                _("Give the date and time as YYYY-MM-DD HH:MM, e.g. 2026-11-23 06:40."),
            )
            return None
        # Shown again (after an error elsewhere) in the form a datetime-local input accepts.
        self.values["occurred_at"] = when.strftime("%Y-%m-%dT%H:%M")
        return when

    def _audience(self) -> dict[str, Any] | None:
        choice = self.value("audience") or "default"
        if choice not in AUDIENCES:
            self.add_error("audience", _("This value is not one of the allowed choices."))
            return None
        if choice == "organisations":
            if not self.organisations:
                self.add_error("audience", _("Tick at least one organisation."))
            return {"organisations": list(self.organisations)}
        if self.organisations:
            # Ticked boxes with another choice would send the report wider than the author
            # meant (or narrower): ask instead of guessing.
            self.add_error(
                "audience",
                _(
                    "You ticked organisations: choose “only the organisations ticked below”, "
                    "or untick them."
                ),
            )
            return None
        if choice == "default":
            return None
        return {"scope": choice}

    def _body(self, report_type: ReportType) -> dict[str, Any]:
        body: dict[str, Any] = {}
        for name in _BODY_TEXT[report_type]:
            text = self._text(name)
            if text is None:
                continue
            if name in ("period_start", "period_end") and (fr := _DATE_FR.match(text)):
                day, month, year = fr.groups()
                text = self.values[name] = f"{year}-{int(month):02d}-{int(day):02d}"
            body[name] = text
        lat, lon = self._text("lat"), self._text("lon")
        if lat or lon:
            if not lat:
                self.add_error("lat", _("Give both the latitude and the longitude."))
            if not lon:
                self.add_error("lon", _("Give both the latitude and the longitude."))
            # A decimal comma is what a French keyboard types.
            body["coordinates"] = {
                "lat": (lat or "").replace(",", "."),
                "lon": (lon or "").replace(",", "."),
            }
        if report_type is ReportType.INCIDENT:
            affected: dict[str, dict[str, str]] = {}
            for side in SIDES:
                for harm in HARMS:
                    count = self._text(f"v_{side}_{harm}")
                    if count is not None:
                        affected.setdefault(side, {})[harm] = count
            if affected:
                body["affected"] = affected
        return body


def _field_of(loc: tuple[int | str, ...]) -> str | None:
    """The form field a pydantic error location points at, if the form has one."""
    path = [str(part) for part in loc]
    if path[:1] == ["body"]:
        path = path[1:]
        if path and path[0] in {t.value for t in ReportType}:
            path = path[1:]  # the discriminator's tag
        if path[:1] == ["affected"] and len(path) >= 3:
            return f"v_{path[1]}_{path[2]}"
        if path[:1] == ["coordinates"] and len(path) >= 2:
            return path[1]
        return path[0] if path else None
    if not path:
        return None
    return path[0] if path[0] in _HEADER else None
