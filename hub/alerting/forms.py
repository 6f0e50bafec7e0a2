"""The liaison form of the web pages: what a liaison typed, as text, turned into a `LiaisonSet`
— or into field errors in their language, every value kept so the form comes back as it was
sent.

Areas are picked by name or by code, one per line (or separated by commas): a liaison knows
"Rutshuru", not "CD6102". Every rule about designations stays in the schema, alerts'
designations module and the service; the form only turns text into the schema."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from hub.alerting.schemas import LiaisonRead, LiaisonSet
from hub.errors import HubError
from hub.forms import TextForm
from hub.i18n import gettext as _

FIELDS = (
    "areas",
    "min_severity",
    "email",
    "sms",
    "language",
    "timezone",
    "quiet_start",
    "quiet_end",
    "deputies",
    "anti_phishing_phrase",
    "smime_certificate",
)
LISTS = ("report_types", "channels", "weekly_report")
_MAX_AREAS = 200


def _norm(text: str) -> str:
    return " ".join(text.casefold().split())


class LiaisonForm(TextForm):
    FIELDS = FIELDS
    LISTS = LISTS

    @classmethod
    def blank(cls, *, lang: str) -> LiaisonForm:
        return cls(
            values={"min_severity": "minor", "language": lang, "timezone": "UTC"},
            chosen={"channels": ["email"]},
        )

    @classmethod
    def of(cls, current: LiaisonRead, names: Mapping[str, str]) -> LiaisonForm:
        """The form filled with a saved designation; areas shown by name where known."""
        email = next((c.address for c in current.contacts if c.channel == "email"), "")
        sms = next((c.address for c in current.contacts if c.channel == "sms"), "")
        quiet = current.quiet_hours
        return cls(
            values={
                "areas": "\n".join(names.get(code, code) for code in current.areas),
                "min_severity": current.min_severity,
                "email": email,
                "sms": sms,
                "language": current.language,
                "timezone": current.timezone,
                "quiet_start": quiet.start if quiet else "",
                "quiet_end": quiet.end if quiet else "",
                "deputies": "\n".join(current.deputies),
                "anti_phishing_phrase": current.anti_phishing_phrase,
                "smime_certificate": "",
            },
            chosen={
                "report_types": list(current.report_types),
                "channels": list(current.channels),
                "weekly_report": ["yes"] if current.weekly_report else [],
            },
        )

    def to_designation(self, *, areas: Mapping[str, str]) -> LiaisonSet | None:
        """The designation, or None with `errors` / `problems` filled in. `areas`: every name
        (case-folded) and code a liaison may type, to its code."""
        for name, text in self.values.items():
            if "\x00" in text:
                self.add_error(name, _("This value contains a character that cannot be stored."))
        codes = self._areas(areas)
        channels = self.chosen.get("channels", [])
        wanted: dict[str, Any] = {}
        if "email" in channels:
            wanted["email"] = self.value("email") or None
        if "sms" in channels:
            if not self.value("sms"):
                self.add_error("sms", _("Give a phone number in international form (+243…)."))
            wanted["sms"] = self.value("sms") or None
        if not channels:
            self.add_error("channels", _("Choose at least one channel."))
        data: dict[str, Any] = {
            "areas": codes,
            "min_severity": self.value("min_severity") or "minor",
            "report_types": self.chosen.get("report_types", []),
            "channels": wanted,
            "language": self.value("language") or "fr",
            "timezone": self.value("timezone") or "UTC",
            "anti_phishing_phrase": self.value("anti_phishing_phrase"),
            "deputies": [d for d in re.split(r"[,;\s]+", self.value("deputies")) if d],
            "weekly_report": self.ticked("weekly_report", "yes"),
        }
        start, end = self.value("quiet_start"), self.value("quiet_end")
        if start or end:
            data["quiet_hours"] = {"start": start, "end": end}
        if self.value("smime_certificate"):
            data["smime_certificate"] = self.value("smime_certificate")
        if self.errors or self.problems:
            return None
        try:
            return LiaisonSet.model_validate(data)
        except ValidationError as exc:
            self.add_schema_errors(exc, self._field)
            return None

    @staticmethod
    def _field(loc: list[str]) -> str | None:
        if not loc:
            return None
        if loc[0] == "channels" and len(loc) > 1:
            return loc[1]
        if loc[0] == "quiet_hours":
            return "quiet_end" if len(loc) > 1 and loc[1] == "end" else "quiet_start"
        return loc[0]

    def add_service_error(self, exc: HubError) -> None:
        """A refusal of the service, next to the field it names when the form has it."""
        fields = [e.get("field") for e in exc.extra.get("errors", []) if isinstance(e, dict)]
        name = str(fields[0]).split(".")[-1] if fields and fields[0] else None
        if name in ("quiet_hours", "start"):
            name = "quiet_start"
        elif name == "end":
            name = "quiet_end"
        if name == "channels":
            name = "email"
        self.add_error(name, exc.message)

    def _areas(self, known: Mapping[str, str]) -> list[str]:
        # One per line, or commas/semicolons: names may hold spaces, codes never do.
        parts = [p.strip() for p in re.split(r"[\n,;]+", self.value("areas")) if p.strip()]
        if not parts:
            self.add_error("areas", _("Choose at least one area."))
            return []
        if len(parts) > _MAX_AREAS:
            self.add_error("areas", _("Too many items."))
            return []
        codes: list[str] = []
        for part in parts:
            code = known.get(part.upper()) or known.get(_norm(part))
            if code is None:
                self.add_error(
                    "areas", _("There is no area called %(name)s.") % {"name": part[:64]}
                )
                return []
            if code not in codes:
                codes.append(code)
        return codes
