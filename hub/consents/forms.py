"""The standing-consent form of the web pages: what a focal point typed, as text, turned into
a `StandingConsentCreate` — or into field errors in their language, every value kept so the
form comes back as it was sent.

The page checks what only a page can get wrong (two targets, an area code mistyped in a text
box, a date in the past); every rule about standing consents stays in the schema and the
service."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection
from typing import Any

from pydantic import ValidationError

from hub.consents.schemas import StandingConsentCreate
from hub.errors import HubError
from hub.fields import FIRST_YEAR, LAST_YEAR
from hub.forms import TextForm
from hub.i18n import gettext as _
from policies.vocabulary import Level, OrganisationKind, ReportType, Tlp

FIELDS = ("to_organisation", "to_kind", "max_tlp", "areas", "expires_on")
LISTS = ("report_types", "levels")

_DATE_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_DATE_FR = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
# A few hundred codes at most; more is a paste gone wrong, not a rule.
_MAX_AREAS = 200


class StandingConsentForm(TextForm):
    FIELDS = FIELDS
    LISTS = LISTS
    MORE_ERRORS = ("target",)  # the organisation or the kind, one of the two

    @classmethod
    def blank(cls) -> StandingConsentForm:
        return cls(values={"max_tlp": Tlp.AMBER.value})

    # --- from text to the schema ---------------------------------------------------------

    def to_rule(
        self, *, partners: Collection[str], areas: Collection[str], today: dt.date
    ) -> StandingConsentCreate | None:
        """The rule, or None with `errors` / `problems` filled in. `partners`: the ids of the
        approved organisations a rule may name; `areas`: every known area code."""
        for name, text in self.values.items():
            if "\x00" in text:
                self.add_error(name, _("This value contains a character that cannot be stored."))
        data: dict[str, Any] = {}
        organisation, kind = self.value("to_organisation"), self.value("to_kind")
        if bool(organisation) == bool(kind):
            # The schema says so too, in English and about JSON names: say it here first.
            self.add_error("target", _("Choose one partner organisation or one kind, not both."))
        elif organisation:
            if organisation in partners:
                data["to_organisation"] = organisation
            else:
                self.add_error(
                    "to_organisation", _("This value is not one of the allowed choices.")
                )
        else:
            data["to_kind"] = self._choice("to_kind", OrganisationKind, kind)
        tlp = self._choice("max_tlp", Tlp, self.value("max_tlp") or Tlp.AMBER.value)
        if tlp is Tlp.RED:
            self.add_error("max_tlp", _("This value is not one of the allowed choices."))
        elif tlp is not None:
            data["max_tlp"] = tlp
        data["report_types"] = self._choices("report_types", ReportType)
        data["levels"] = self._choices("levels", Level)
        data["areas"] = self._areas(areas)
        expires = self._expires(today)
        if expires is not None:
            data["expires_at"] = expires
        if self.errors or self.problems:
            return None
        try:
            return StandingConsentCreate.model_validate(data)
        except ValidationError as exc:
            self.add_schema_errors(
                exc, lambda loc: loc[0] if loc and loc[0] in FIELDS + LISTS else None
            )
            return None

    def add_service_error(self, exc: HubError) -> None:
        """A refusal of the service, next to the field it names when the form has it."""
        fields = [e.get("field") for e in exc.extra.get("errors", []) if isinstance(e, dict)]
        name = fields[0] if fields and fields[0] in FIELDS else None
        self.add_error(name, exc.message)

    def _choice(self, name: str, enum: Any, text: str) -> Any:
        try:
            return enum(text)
        except ValueError:
            self.add_error(name, _("This value is not one of the allowed choices."))
            return None

    def _choices(self, name: str, enum: Any) -> list[Any]:
        out = []
        for text in self.chosen.get(name, []):
            chosen = self._choice(name, enum, text)
            if chosen is not None:
                out.append(chosen)
        return out

    def _areas(self, known: Collection[str]) -> list[str]:
        # Commas, semicolons or spaces: whatever a list pasted from a spreadsheet carries.
        codes = [c.upper() for c in re.split(r"[,;\s]+", self.value("areas")) if c]
        codes = list(dict.fromkeys(codes))
        if len(codes) > _MAX_AREAS:
            self.add_error("areas", _("Too many items."))
            return []
        unknown = [c for c in codes if c not in known]
        if unknown:
            # A mistyped code would make a rule that silently never applies.
            self.add_error(
                "areas", _("There is no area with the code %(code)s.") % {"code": unknown[0][:32]}
            )
            return []
        self.values["areas"] = ", ".join(codes)
        return codes

    def _expires(self, today: dt.date) -> dt.datetime | None:
        text = self.value("expires_on")
        if not text:
            return None
        try:
            if (iso := _DATE_ISO.match(text)) is not None:
                year, month, day = (int(g) for g in iso.groups())
            elif (fr := _DATE_FR.match(text)) is not None:
                day, month, year = (int(g) for g in fr.groups())
            else:
                raise ValueError(text)
            on = dt.date(year, month, day)
        except ValueError:
            self.add_error("expires_on", _("Give a date as YYYY-MM-DD."))
            return None
        if on < today:
            self.add_error("expires_on", _("This date is already past."))
            return None
        if on.year > LAST_YEAR:  # the day after must still be a date the hub can hold
            self.add_error(
                "expires_on",
                _("The date must lie between %(first)s and %(last)s.")
                % {"first": FIRST_YEAR, "last": LAST_YEAR},
            )
            return None
        # Shown again (after an error elsewhere) in the form a date input accepts.
        self.values["expires_on"] = on.isoformat()
        # The rule holds through the whole of the day given, in UTC.
        return dt.datetime.combine(on + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
