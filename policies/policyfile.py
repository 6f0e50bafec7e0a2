"""The policy file: TOML in, a frozen `Policy` out, or errors that name the line.

Guarantees:
- a `Policy` only exists if the whole file is valid: unknown keys, wrong types, unknown codes,
  non-positive durations and rule-breaking combinations (a higher risk mapped to a lower level,
  enhanced cooperation allowing fewer report types or a narrower default audience than normal,
  escalation steps out of order, a standing consent covering TLP:RED) are all refused;
- every error carries the 1-based line of the key or list element at fault, so that
  `slthub policy check FILE` can print "FILE:LINE: message";
- an operator's file is merged over the shipped `default.toml`: tables merge key by key,
  arrays replace the whole array, so a key left out keeps its documented default.

Errors find their line through policies/keylines.py (a key -> line index of the text).

The only I/O here is reading the file a caller names (or the shipped default).
"""

from __future__ import annotations

import difflib
import os
import re
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from importlib import resources
from itertools import pairwise
from types import MappingProxyType
from typing import Any

from policies.cadence import Cadence, Weekday, parse_clock
from policies.keylines import KeyPath as KeyPath
from policies.keylines import key_lines as key_lines
from policies.vocabulary import (
    AUDIENCE_BREADTH,
    LEVEL_ORDER,
    RISK_ORDER,
    AlertMode,
    AudienceScope,
    Briefing,
    Channel,
    EscalationTarget,
    Level,
    Precedence,
    ReportType,
    Risk,
    Severity,
    Tlp,
    level_rank,
)

POLICY_VERSION = 1


# --------------------------------------------------------------------------------------------
# The Policy


@dataclass(frozen=True, slots=True)
class EscalationStep:
    after: timedelta
    to: EscalationTarget
    channels: tuple[Channel, ...]


@dataclass(frozen=True, slots=True)
class LevelPolicy:
    report_types: frozenset[ReportType]
    default_audience: AudienceScope
    default_tlp: Tlp
    header_area_depth: int
    briefing: Briefing
    # When the briefings fall (policies/cadence.py); `briefing` is its `every`.
    briefing_cadence: Cadence
    alert_mode: Mapping[Severity, AlertMode]
    ack_precedences: frozenset[Precedence]
    ack_deadline: timedelta
    retention: Mapping[ReportType, timedelta]
    escalation: tuple[EscalationStep, ...]


@dataclass(frozen=True, slots=True)
class Policy:
    version: int
    default_risk: Risk
    no_go: frozenset[Risk]
    risk_levels: Mapping[Risk, Level]
    coordinators_to_leave_enhanced: int
    max_temporary_raise: timedelta
    standing_consent_max_tlp: Tlp
    quiet_hours_override: frozenset[Severity]
    levels: Mapping[Level, LevelPolicy]
    source: str = "<default>"

    def level_for(self, risk: Risk) -> Level:
        return self.risk_levels[risk]

    def at(self, level: Level) -> LevelPolicy:
        return self.levels[level]


@dataclass(frozen=True, slots=True)
class PolicyError:
    line: int
    message: str

    def format(self, filename: str) -> str:
        return f"{filename}:{self.line}: {self.message}"


class PolicyInvalid(ValueError):
    """The policy file was refused; `errors` says where and why."""

    def __init__(self, source: str, errors: list[PolicyError]) -> None:
        self.source = source
        self.errors = tuple(errors)
        super().__init__("\n".join(e.format(source) for e in errors))


# --------------------------------------------------------------------------------------------
# Entry points


@cache
def _default_text() -> str:
    return resources.files("policies").joinpath("default.toml").read_text(encoding="utf-8")


@cache
def default_policy() -> Policy:
    """The shipped policy (cached: it is immutable and read from package data)."""
    return parse_policy(_default_text(), source="<default>")


def load_policy(path: str | os.PathLike[str] | None = None, *, text: str | None = None) -> Policy:
    """Load a policy from a file path, or from `text`, or the shipped default when given
    neither. Raises `PolicyInvalid` (with line-numbered errors) or `OSError`."""
    if path is not None and text is not None:
        raise TypeError("give a path or text, not both")
    if text is not None:
        return parse_policy(text)
    if path is None:
        return default_policy()
    with open(path, encoding="utf-8") as f:
        return parse_policy(f.read(), source=os.fspath(path))


def parse_policy(text: str, *, source: str = "<text>") -> Policy:
    policy, errors = _parse(text)
    if policy is None:
        raise PolicyInvalid(source, errors)
    return Policy(**{**_fields(policy), "source": source})


def check_policy(text: str) -> list[PolicyError]:
    """Every error in `text`, sorted by line; empty when the policy is valid."""
    return _parse(text)[1]


def _fields(policy: Policy) -> dict[str, Any]:
    return {name: getattr(policy, name) for name in Policy.__dataclass_fields__}


# --------------------------------------------------------------------------------------------
# Durations

_DURATION = re.compile(r"(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?")


def parse_duration(text: str) -> timedelta:
    """ "1h30m" → 90 minutes. Raises ValueError for anything else, and for zero."""
    match = _DURATION.fullmatch(text)
    if not text or match is None:
        raise ValueError(f'{text!r} is not a duration such as "15m", "2h", "7d" or "2w"')
    weeks, days, hours, minutes = (int(g) if g else 0 for g in match.groups())
    value = timedelta(weeks=weeks, days=days, hours=hours, minutes=minutes)
    if value <= timedelta(0):
        raise ValueError(f"{text!r} must be longer than zero")
    return value


def format_duration(value: timedelta) -> str:
    """Whole minutes as parse_duration reads them, in days, hours and minutes (no weeks:
    "1825d" reads better as written than as "260w5d")."""
    minutes = int(value.total_seconds()) // 60
    parts = []
    for unit, size in (("d", 24 * 60), ("h", 60), ("m", 1)):
        if minutes >= size:
            parts.append(f"{minutes // size}{unit}")
            minutes %= size
    return "".join(parts) or "0m"


# --------------------------------------------------------------------------------------------
# Key → line index


# --------------------------------------------------------------------------------------------
# Validation


class _Duration:
    """Schema marker: a duration string."""


class _ListOf:
    def __init__(self, item: Any) -> None:
        self.item = item


class _Clock:
    """Schema marker: a time of day "HH:MM"."""


class _OneOf:
    """Schema marker: the value may take any of these forms (tried in order)."""

    def __init__(self, *forms: Any) -> None:
        self.forms = forms


# `briefing = "weekly"` (the first form of the file, still valid) or a table saying when.
_CADENCE: dict[str, Any] = {
    "every": Briefing,
    "weekday": Weekday,
    "time": _Clock,
    "duration": _Duration,
}


_STEP: dict[str, Any] = {
    "after": _Duration,
    "to": EscalationTarget,
    "channels": _ListOf(Channel),
}
_LEVEL: dict[str, Any] = {
    "report_types": _ListOf(ReportType),
    "default_audience": AudienceScope,
    "default_tlp": Tlp,
    "header_area_depth": int,
    "briefing": _OneOf(Briefing, _CADENCE),
    "alert_mode": dict.fromkeys(Severity, AlertMode),
    "acknowledgement": {"precedences": _ListOf(Precedence), "deadline": _Duration},
    "retention": dict.fromkeys(ReportType, _Duration),
    "escalation": _ListOf(_STEP),
}
_SCHEMA: dict[str, Any] = {
    "version": int,
    "risk": {"default": Risk, "no_go": _ListOf(Risk), "level": dict.fromkeys(Risk, Level)},
    "changes": {"coordinators_to_leave_enhanced": int, "max_temporary_raise": _Duration},
    "sharing": {"standing_consent_max_tlp": Tlp},
    "alerts": {"quiet_hours_override": _ListOf(Severity)},
    "levels": dict.fromkeys(Level, _LEVEL),
}

_LINE_SUFFIX = re.compile(r"\s*\((?:at line (\d+), column \d+|at end of document)\)$")


def _dotted(path: KeyPath) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


class _Checker:
    def __init__(self, lines: Mapping[KeyPath, int]) -> None:
        self.lines = lines
        self.errors: list[PolicyError] = []

    def line_of(self, *paths: KeyPath) -> int:
        # The first path the operator actually wrote; else the nearest table they wrote
        # around it; else line 1 (the fault lies in shipped defaults they did not override).
        for path in paths:
            if path in self.lines:
                return self.lines[path]
        for path in paths:
            for n in range(len(path) - 1, 0, -1):
                if path[:n] in self.lines:
                    return self.lines[path[:n]]
        return 1

    def error(self, message: str, *paths: KeyPath) -> None:
        self.errors.append(PolicyError(self.line_of(*paths), message))

    def check(self, value: Any, schema: Any, path: KeyPath) -> bool:
        """Report everything wrong with `value` against `schema`; True when it is all right."""
        name = _dotted(path)
        if isinstance(schema, dict):
            if not isinstance(value, dict):
                self.error(f"{name} must be a table", path)
                return False
            ok = True
            for key, item in value.items():
                if key not in schema:
                    hint = difflib.get_close_matches(key, [str(k) for k in schema], n=1)
                    where = f" in {name}" if name else ""
                    more = f" (did you mean {hint[0]!r}?)" if hint else ""
                    self.error(f"unknown key {key!r}{where}{more}", (*path, key))
                    ok = False
                else:
                    ok = self.check(item, schema[key], (*path, key)) and ok
            return ok
        if isinstance(schema, _OneOf):
            for form in schema.forms:
                if isinstance(value, dict) == isinstance(form, dict):
                    return self.check(value, form, path)
            self.error(f"{name} has the wrong form", path)
            return False
        if schema is _Clock:
            try:
                parse_clock(value if isinstance(value, str) else "")
            except ValueError:
                self.error(f'{name} must be a time of day such as "10:00", not {value!r}', path)
                return False
            return True
        if isinstance(schema, _ListOf):
            if not isinstance(value, list):
                self.error(f"{name} must be a list", path)
                return False
            results = [self.check(v, schema.item, (*path, i)) for i, v in enumerate(value)]
            if isinstance(schema.item, dict):
                # List elements are not merged with defaults, so each must be complete.
                for i, v in enumerate(value):
                    for key in schema.item:
                        if isinstance(v, dict) and key not in v:
                            self.error(f"{name}[{i}] lacks {key!r}", (*path, i))
                            results.append(False)
            return all(results)
        if schema is int:
            if isinstance(value, bool) or not isinstance(value, int):
                self.error(f"{name} must be a whole number, not {value!r}", path)
                return False
            return True
        if schema is _Duration:
            if not isinstance(value, str):
                self.error(f'{name} must be a duration string such as "15m"', path)
                return False
            try:
                parse_duration(value)
            except ValueError as exc:
                self.error(f"{name}: {exc}", path)
                return False
            return True
        # The only schema leaves left are StrEnum classes.
        allowed = [m.value for m in schema]
        if not isinstance(value, str) or value not in allowed:
            self.error(f"{name}: {value!r} is not one of {', '.join(allowed)}", path)
            return False
        return True


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _build(doc: dict[str, Any]) -> Policy:
    """Typed policy from a merged document that passed `_Checker.check`."""

    def cadence(raw: str | dict[str, Any]) -> Cadence:
        if isinstance(raw, str):
            return Cadence(every=Briefing(raw))
        every = Briefing(raw.get("every", Briefing.WEEKLY))
        fallback = Cadence(every=every)
        return Cadence(
            every=every,
            weekday=Weekday(raw.get("weekday", fallback.weekday)),
            time=parse_clock(raw["time"]) if "time" in raw else fallback.time,
            duration=parse_duration(raw["duration"]) if "duration" in raw else fallback.duration,
        )

    def level(raw: dict[str, Any]) -> LevelPolicy:
        return LevelPolicy(
            report_types=frozenset(ReportType(t) for t in raw["report_types"]),
            default_audience=AudienceScope(raw["default_audience"]),
            default_tlp=Tlp(raw["default_tlp"]),
            header_area_depth=raw["header_area_depth"],
            briefing=cadence(raw["briefing"]).every,
            briefing_cadence=cadence(raw["briefing"]),
            alert_mode=MappingProxyType(
                {Severity(k): AlertMode(v) for k, v in raw["alert_mode"].items()}
            ),
            ack_precedences=frozenset(Precedence(p) for p in raw["acknowledgement"]["precedences"]),
            ack_deadline=parse_duration(raw["acknowledgement"]["deadline"]),
            retention=MappingProxyType(
                {ReportType(k): parse_duration(v) for k, v in raw["retention"].items()}
            ),
            escalation=tuple(
                EscalationStep(
                    after=parse_duration(s["after"]),
                    to=EscalationTarget(s["to"]),
                    channels=tuple(Channel(c) for c in s["channels"]),
                )
                for s in raw["escalation"]
            ),
        )

    return Policy(
        version=doc["version"],
        default_risk=Risk(doc["risk"]["default"]),
        no_go=frozenset(Risk(r) for r in doc["risk"]["no_go"]),
        risk_levels=MappingProxyType({Risk(k): Level(v) for k, v in doc["risk"]["level"].items()}),
        coordinators_to_leave_enhanced=doc["changes"]["coordinators_to_leave_enhanced"],
        max_temporary_raise=parse_duration(doc["changes"]["max_temporary_raise"]),
        standing_consent_max_tlp=Tlp(doc["sharing"]["standing_consent_max_tlp"]),
        quiet_hours_override=frozenset(Severity(s) for s in doc["alerts"]["quiet_hours_override"]),
        levels=MappingProxyType({Level(k): level(v) for k, v in doc["levels"].items()}),
    )


def _missing(doc: Any, schema: Any, path: KeyPath) -> Iterator[KeyPath]:
    # Only the shipped default can lack keys after merging; this keeps it honest.
    if isinstance(schema, dict):
        for key, sub in schema.items():
            if key not in doc:
                yield (*path, key)
            else:
                yield from _missing(doc[key], sub, (*path, key))


def _rules(policy: Policy, c: _Checker) -> None:
    """Rules that span several keys."""
    if policy.version != POLICY_VERSION:
        c.error(f"version must be {POLICY_VERSION}, not {policy.version}", ("version",))
    for lower, higher in pairwise(RISK_ORDER):
        lo, hi = policy.risk_levels[lower], policy.risk_levels[higher]
        if level_rank(hi) < level_rank(lo):
            c.error(
                f"risk.level.{higher} = {hi!s} is lower than risk.level.{lower} = {lo!s}: "
                "a higher risk may never lower the cooperation level",
                ("risk", "level", str(higher)),
                ("risk", "level", str(lower)),
            )
    for lower_risk, higher_risk in pairwise(RISK_ORDER):
        if lower_risk in policy.no_go and higher_risk not in policy.no_go:
            c.error(
                f"risk.no_go lists {lower} but not the higher risk {higher}",
                ("risk", "no_go"),
            )
    if policy.coordinators_to_leave_enhanced < 1:
        c.error(
            "changes.coordinators_to_leave_enhanced must be at least 1",
            ("changes", "coordinators_to_leave_enhanced"),
        )
    if policy.standing_consent_max_tlp is Tlp.RED:
        c.error(
            "sharing.standing_consent_max_tlp cannot be red: TLP:RED never travels onward",
            ("sharing", "standing_consent_max_tlp"),
        )
    for lvl in LEVEL_ORDER:
        lp = policy.levels[lvl]
        base: KeyPath = ("levels", str(lvl))
        if not 0 <= lp.header_area_depth <= 10:
            c.error(
                f"levels.{lvl}.header_area_depth must be between 0 and 10",
                (*base, "header_area_depth"),
            )
        previous = timedelta(0)
        for i, step in enumerate(lp.escalation):
            where = (*base, "escalation", i, "after")
            if step.after <= previous:
                c.error(
                    f"levels.{lvl}.escalation[{i}].after must be later than the step before it",
                    where,
                )
            if step.after < lp.ack_deadline:
                c.error(
                    f"levels.{lvl}.escalation[{i}].after ({format_duration(step.after)}) "
                    f"comes before the acknowledgement deadline "
                    f"({format_duration(lp.ack_deadline)})",
                    where,
                    (*base, "acknowledgement", "deadline"),
                )
            if not step.channels:
                c.error(
                    f"levels.{lvl}.escalation[{i}].channels must name at least one channel",
                    (*base, "escalation", i, "channels"),
                )
            previous = step.after
    for lower_level, higher_level in pairwise(LEVEL_ORDER):
        low, high = policy.levels[lower_level], policy.levels[higher_level]
        if AUDIENCE_BREADTH.index(high.default_audience) < AUDIENCE_BREADTH.index(
            low.default_audience
        ):
            c.error(
                f"levels.{higher_level}.default_audience = {high.default_audience!s} is "
                f"narrower than levels.{lower_level}.default_audience = "
                f"{low.default_audience!s}: "
                "raising the level may never narrow who receives a report",
                ("levels", str(higher_level), "default_audience"),
                ("levels", str(lower_level), "default_audience"),
            )
        dropped = sorted(low.report_types - high.report_types)
        if dropped:
            c.error(
                f"levels.{higher_level}.report_types lacks {', '.join(dropped)}, "
                f"allowed at the lower level {lower_level}",
                ("levels", str(higher_level), "report_types"),
                ("levels", str(lower_level), "report_types"),
            )


def _parse(text: str) -> tuple[Policy | None, list[PolicyError]]:
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        match = _LINE_SUFFIX.search(message)
        # "at end of document" has no number: the last line is where the reader should look.
        at_end = max(1, len(text.splitlines()))
        line = int(match.group(1)) if match and match.group(1) else at_end
        return None, [PolicyError(line, f"TOML syntax: {_LINE_SUFFIX.sub('', message)}")]
    checker = _Checker(key_lines(text))
    if not checker.check(doc, _SCHEMA, ()):
        return None, sorted(checker.errors, key=lambda e: e.line)
    base = tomllib.loads(_default_text())
    merged = _merge(base, doc)
    gaps = list(_missing(merged, _SCHEMA, ()))
    for gap in gaps:
        checker.error(f"{_dotted(gap)} is missing", gap)
    if gaps:
        return None, checker.errors
    policy = _build(merged)
    _rules(policy, checker)
    if checker.errors:
        return None, sorted(checker.errors, key=lambda e: e.line)
    return policy, []
