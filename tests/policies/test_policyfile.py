"""The policy file: the shipped default is valid, invalid files are refused with the line of
the fault, partial files keep the defaults, and the key→line index survives tricky TOML."""

from __future__ import annotations

from datetime import timedelta
from importlib import resources
from pathlib import Path

import pytest

from policies import PolicyInvalid, check_policy, default_policy, load_policy, parse_policy
from policies.policyfile import format_duration, key_lines, parse_duration
from policies.vocabulary import (
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
)

DEFAULT_TEXT = resources.files("policies").joinpath("default.toml").read_text(encoding="utf-8")


def test_shipped_default_validates_and_says_what_design_md_says() -> None:
    assert check_policy(DEFAULT_TEXT) == []
    p = default_policy()
    assert [p.level_for(r) for r in Risk] == [Level.NORMAL] * 3 + [Level.ENHANCED] * 3
    assert p.no_go == {Risk.UNACCEPTABLE}
    enhanced, normal = p.at(Level.ENHANCED), p.at(Level.NORMAL)
    assert ReportType.OPERATIONAL_PLAN in enhanced.report_types
    assert ReportType.OPERATIONAL_PLAN not in normal.report_types
    assert set(enhanced.alert_mode.values()) == {AlertMode.IMMEDIATE}
    assert normal.alert_mode[Severity.MINOR] is AlertMode.DIGEST
    assert enhanced.ack_precedences == {Precedence.FLASH}
    assert enhanced.briefing is Briefing.WEEKLY
    assert enhanced.default_audience is AudienceScope.AREA
    assert [s.to for s in enhanced.escalation] == [
        EscalationTarget.DEPUTY,
        EscalationTarget.FOCAL_POINTS,
    ]
    assert p.coordinators_to_leave_enhanced == 2
    assert p.max_temporary_raise == timedelta(days=30)
    assert set(normal.retention) == set(ReportType)


def test_load_policy_reads_a_path_and_defaults_to_the_shipped_file(tmp_path: Path) -> None:
    path = tmp_path / "policy.toml"
    path.write_text('[changes]\nmax_temporary_raise = "2w"\n', encoding="utf-8")
    p = load_policy(path)
    assert p.max_temporary_raise == timedelta(weeks=2)
    assert p.source == str(path)
    # Everything the file leaves out keeps its default.
    assert p.levels == default_policy().levels
    assert load_policy() == default_policy()
    assert (
        load_policy(text="[sharing]\nstanding_consent_max_tlp = 'green'\n").standing_consent_max_tlp
        is Tlp.GREEN
    )


def test_arrays_replace_the_default_list() -> None:
    p = parse_policy(
        '[[levels.enhanced.escalation]]\nafter = "1h"\nto = "focal_points"\nchannels = ["email"]\n'
    )
    (step,) = p.at(Level.ENHANCED).escalation
    assert step.after == timedelta(hours=1)
    assert step.channels == (Channel.EMAIL,)


def test_policy_invalid_prints_file_line_message(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text('version = 1\n\n[risk]\ndefault = "severe"\n', encoding="utf-8")
    with pytest.raises(PolicyInvalid) as info:
        load_policy(path)
    assert str(info.value) == (
        f"{path}:4: risk.default: 'severe' is not one of "
        "very_low, low, medium, high, very_high, unacceptable"
    )
    assert info.value.errors[0].line == 4


BAD = [
    pytest.param("version = 1\nfoo = 2\n", [(2, "unknown key 'foo'")], id="unknown-top-key"),
    pytest.param(
        '[levels.enhanced]\nbriefing = "weekly"\nalert_modes = {}\n',
        [(3, "unknown key 'alert_modes' in levels.enhanced (did you mean 'alert_mode'?)")],
        id="typo-with-suggestion",
    ),
    pytest.param(
        '[levels.normal]\nreport_types = [\n  "incident",\n  "sitrep",\n]\n',
        [(4, "levels.normal.report_types[1]: 'sitrep' is not one of")],
        id="bad-list-element-on-its-own-line",
    ),
    pytest.param(
        '[changes]\ncoordinators_to_leave_enhanced = "two"\n',
        [(2, "changes.coordinators_to_leave_enhanced must be a whole number")],
        id="wrong-type",
    ),
    pytest.param(
        "[changes]\ncoordinators_to_leave_enhanced = true\n",
        [(2, "must be a whole number")],
        id="bool-is-not-int",
    ),
    pytest.param(
        '[changes]\nmax_temporary_raise = "30 days"\n',
        [(2, "is not a duration")],
        id="bad-duration",
    ),
    pytest.param(
        '[levels.normal.retention]\nlesson = "0d"\n',
        [(2, "must be longer than zero")],
        id="zero-duration",
    ),
    pytest.param(
        '# comment\n[risk.level]\nhigh = "normal"\nvery_high = "enhanced"\n'
        'unacceptable = "normal"\n',
        [(5, "risk.level.unacceptable = normal is lower than risk.level.very_high = enhanced")],
        id="risk-mapping-not-monotonic",
    ),
    pytest.param(
        '[risk]\nno_go = ["very_high"]\n',
        [(2, "risk.no_go lists very_high but not the higher risk unacceptable")],
        id="no-go-not-closed-upwards",
    ),
    pytest.param(
        '[levels.enhanced]\ndefault_audience = "originator"\n',
        [(2, "levels.enhanced.default_audience = originator is narrower than")],
        id="enhanced-narrower-audience",
    ),
    pytest.param(
        '[levels.enhanced]\nreport_types = ["incident"]\n',
        [(2, "levels.enhanced.report_types lacks alert, lesson")],
        id="enhanced-fewer-types",
    ),
    pytest.param(
        '[sharing]\nstanding_consent_max_tlp = "red"\n',
        [(2, "TLP:RED never travels onward")],
        id="standing-consent-red",
    ),
    pytest.param(
        '\n[[levels.enhanced.escalation]]\nafter = "30m"\nto = "deputy"\nchannels = ["sms"]\n'
        '\n[[levels.enhanced.escalation]]\nafter = "20m"\nto = "focal_points"\n'
        'channels = ["sms"]\n',
        [(8, "levels.enhanced.escalation[1].after must be later than the step before it")],
        id="escalation-out-of-order",
    ),
    pytest.param(
        '[[levels.enhanced.escalation]]\nafter = "5m"\nto = "deputy"\nchannels = ["sms"]\n',
        [(2, "escalation[0].after (5m) comes before the acknowledgement deadline (15m)")],
        id="escalation-before-deadline",
    ),
    pytest.param(
        '[[levels.enhanced.escalation]]\nafter = "1h"\nchannels = ["sms"]\n',
        [(1, "levels.enhanced.escalation[0] lacks 'to'")],
        id="escalation-step-incomplete",
    ),
    pytest.param(
        '[[levels.enhanced.escalation]]\nafter = "1h"\nto = "boss"\nchannels = ["fax"]\n',
        [(3, "'boss' is not one of deputy, focal_points"), (4, "'fax' is not one of email, sms")],
        id="two-errors-both-reported",
    ),
    pytest.param("version = 2\n", [(1, "version must be 1, not 2")], id="version"),
    pytest.param('version = 1\n[risk\ndefault = "low"\n', [(2, "TOML syntax")], id="syntax-error"),
    pytest.param("version = 1\nlevels = [1,\n", [(2, "TOML syntax")], id="syntax-error-at-end"),
]


@pytest.mark.parametrize(("text", "expected"), BAD)
def test_invalid_files_are_refused_with_the_right_line(
    text: str, expected: list[tuple[int, str]]
) -> None:
    errors = check_policy(text)
    assert [e.line for e in errors] == [line for line, _ in expected]
    for error, (_, fragment) in zip(errors, expected, strict=True):
        assert fragment in error.message
    with pytest.raises(PolicyInvalid):
        parse_policy(text)


def test_error_in_a_value_the_file_did_not_set_points_at_the_key_it_did_set() -> None:
    # normal's audience is widened past enhanced's default: the fault is reported on the line
    # the operator wrote, not on a line of the shipped default they never saw.
    (error,) = check_policy('\n\n[levels.normal]\ndefault_audience = "all_partners"\n')
    assert error.line == 4


def test_key_lines_handles_strings_arrays_inline_tables_and_arrays_of_tables() -> None:
    text = '''\
title = """
not_a_key = 1
[not.a.table]
"""   # closes here
"quoted.key" = 'x'
literal = \'\'\'a
b = 2\'\'\'
[a]
inline = { x = 1, y = [2,
  3] }
dotted.sub = "v" # trailing [comment]
when = 1979-05-27 07:32:00Z
[[a.list]]
k = 1
[[a.list]]
k = "#not comment"
[a.list.inner]
z = 0
'''
    lines = key_lines(text)
    assert lines[("title",)] == 1
    assert ("not_a_key",) not in lines
    assert lines[("quoted.key",)] == 5
    assert lines[("literal",)] == 6
    assert ("b",) not in lines
    assert lines[("a", "inline", "y", 1)] == 10
    assert lines[("a", "dotted", "sub")] == 11
    assert lines[("a", "when")] == 12
    assert lines[("a", "list", 0, "k")] == 14
    assert lines[("a", "list", 1, "k")] == 16
    assert lines[("a", "list", 1, "inner", "z")] == 18


def test_key_lines_covers_every_leaf_of_the_shipped_default() -> None:
    import tomllib

    def leaves(value: object, path: tuple[str | int, ...]) -> list[tuple[str | int, ...]]:
        if isinstance(value, dict):
            return [p for k, v in value.items() for p in leaves(v, (*path, k))]
        if isinstance(value, list):
            return [path] + [p for i, v in enumerate(value) for p in leaves(v, (*path, i))]
        return [path]

    lines = key_lines(DEFAULT_TEXT)
    missing = [p for p in leaves(tomllib.loads(DEFAULT_TEXT), ()) if p not in lines]
    assert missing == []


@pytest.mark.parametrize(
    ("text", "minutes", "shown"),
    [
        ("15m", 15, "15m"),
        ("2h", 120, "2h"),
        ("1h30m", 90, "1h30m"),
        ("7d", 7 * 1440, "7d"),
        ("2w", 2 * 7 * 1440, "14d"),
        ("1825d", 1825 * 1440, "1825d"),
    ],
)
def test_durations_parse_and_print(text: str, minutes: int, shown: str) -> None:
    assert parse_duration(text) == timedelta(minutes=minutes)
    assert format_duration(parse_duration(text)) == shown


@pytest.mark.parametrize("text", ["", "15", "m", "1m2h", "-5m", "1.5h", "0m"])
def test_bad_durations_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match=r"duration|longer than zero"):
        parse_duration(text)


DOC = Path(__file__).resolve().parents[2] / "docs" / "policy-file.md"


def test_the_documented_example_is_a_valid_policy() -> None:
    text = DOC.read_text(encoding="utf-8")
    example = text.split("```toml\n", 1)[1].split("```", 1)[0]
    assert check_policy(example) == []
    p = parse_policy(example)
    assert p.coordinators_to_leave_enhanced == 3
    assert len(p.at(Level.ENHANCED).escalation) == 3


def test_every_key_is_documented() -> None:
    from policies.policyfile import _SCHEMA, _STEP

    text = DOC.read_text(encoding="utf-8")
    # Tables keyed by a vocabulary are documented once, with the vocabulary as placeholder.
    placeholders = {
        "levels": "<level>",
        "risk.level": "<risk>",
        "alert_mode": "<severity>",
        "retention": "<report type>",
    }

    def keys(schema: object, prefix: str) -> list[str]:
        if not isinstance(schema, dict):
            return [prefix]
        for name, placeholder in placeholders.items():
            if prefix == name or prefix.endswith("." + name):
                first = next(iter(schema.values()))
                return keys(first, f"{prefix}.{placeholder}")
        return [k for key, sub in schema.items() for k in keys(sub, f"{prefix}.{key}".strip("."))]

    documented = keys(_SCHEMA, "") + [f"…escalation[].{k}" for k in _STEP]
    missing = [k for k in documented if f"`{k}`" not in text]
    assert missing == []
