"""The publish form's text → ReportCreate, without HTTP: what phones and old browsers send
(decimal commas, dd/mm/yyyy, CRLF), and errors that land on the field they belong to."""

from __future__ import annotations

import datetime as dt

import pytest

from hub.errors import InvalidInput
from hub.reports.forms import UTC_OFFSETS, PublishForm
from hub.reports.schemas import IncidentBody, SituationBody

BASE = {
    "type": "incident",
    "severity": "severe",
    "area": "CD6102",
    "occurred_at": "2026-11-23T06:40",
    "utc_offset": "+01:00",
    "idempotency_key": "k1",
}


def posted(**values: str | list[str]) -> PublishForm:
    pairs: list[tuple[str, str]] = []
    for name, value in {**BASE, **values}.items():
        for item in value if isinstance(value, list) else [value]:
            pairs.append((name, item))
    return PublishForm.posted(pairs)


def test_a_minimal_flash_report() -> None:
    form = posted(what_happened="Véhicule arrêté\r\nà PK 42")
    report = form.to_report()
    assert report is not None, form.errors
    assert report.stage == "flash"
    assert report.audience is None  # the policy's default
    assert report.occurred_at == dt.datetime(
        2026, 11, 23, 6, 40, tzinfo=dt.timezone(dt.timedelta(hours=1))
    )
    assert isinstance(report.body, IncidentBody)
    assert report.body.what_happened == "Véhicule arrêté\nà PK 42"
    assert report.anonymous is False


@pytest.mark.parametrize(
    "typed",
    ["2026-11-23T06:40", "2026-11-23 06:40", "2026-11-23 6h40", "23/11/2026 06:40"],
)
def test_times_as_browsers_and_people_type_them(typed: str) -> None:
    form = posted(occurred_at=typed, utc_offset="+02:00")
    report = form.to_report()
    assert report is not None, form.errors
    assert report.occurred_at.isoformat() == "2026-11-23T06:40:00+02:00"
    # Shown again as a datetime-local input accepts it.
    assert form.value("occurred_at") == "2026-11-23T06:40"


@pytest.mark.parametrize("typed", ["hier soir", "2026-02-30T10:00", "2026-11-23T25:00", ""])
def test_a_time_that_is_not_one(typed: str) -> None:
    form = posted(occurred_at=typed)
    assert form.to_report() is None
    assert "occurred_at" in form.errors
    assert form.value("occurred_at") == typed


def test_offsets_include_half_hours_and_refuse_the_rest() -> None:
    assert {"+05:30", "+05:45", "-03:30", "+00:00", "+14:00", "-12:00"} <= set(UTC_OFFSETS)
    form = posted(utc_offset="+99:00")
    assert form.to_report() is None
    assert set(form.errors) == {"utc_offset"}


def test_coordinates_counts_and_a_decimal_comma() -> None:
    form = posted(lat="-1,18", lon="29.45", v_national_injured="2", v_international_missing="1")
    report = form.to_report()
    assert report is not None, form.errors
    assert isinstance(report.body, IncidentBody)
    assert report.body.coordinates is not None
    assert (report.body.coordinates.lat, report.body.coordinates.lon) == (-1.18, 29.45)
    assert report.body.affected.national.injured == 2
    assert report.body.affected.international.missing == 1


def test_every_error_at_once_on_its_field() -> None:
    form = posted(
        severity="",
        lat="91",
        lon="",
        v_national_killed="-1",
        v_international_injured="deux",
        summary="s" * 141,
        attack_context="drone",
    )
    assert form.to_report() is None
    assert set(form.errors) == {
        "severity",
        "lat",
        "lon",
        "v_national_killed",
        "v_international_injured",
        "summary",
        "attack_context",
    }
    assert form.errors["lat"] == "The value must be at most 90."
    assert form.value("v_international_injured") == "deux"


def test_audience_forms() -> None:
    one, two = "6f1c3f7e-0000-4000-8000-000000000001", "6f1c3f7e-0000-4000-8000-000000000002"
    named = posted(audience="organisations", organisations=[one, two, one])
    report = named.to_report()
    assert report is not None
    assert report.audience is not None
    assert report.audience.organisations == [one, two]

    scope = posted(audience="all_partners").to_report()
    assert scope is not None
    assert scope.audience is not None
    assert scope.audience.scope == "all_partners"

    none_ticked = posted(audience="organisations")
    assert none_ticked.to_report() is None
    assert "audience" in none_ticked.errors

    # Ticked boxes under another choice: the form asks, it does not widen or narrow.
    mixed = posted(audience="default", organisations=["org-1"])
    assert mixed.to_report() is None
    assert "ticked" in mixed.errors["audience"]


def test_a_situation_report_with_dates_as_typed() -> None:
    form = posted(
        type="situation",
        severity="minor",
        period_start="16/11/2026",
        period_end="2026-11-22",
        narrative="Calme relatif",
        who_involved="ignored: not a field of a situation report",
        stage="flash",
    )
    report = form.to_report()
    assert report is not None, form.errors
    assert report.stage is None
    assert isinstance(report.body, SituationBody)
    assert report.body.period_start == dt.date(2026, 11, 16)
    assert form.value("period_start") == "2026-11-16"


def test_anonymous_and_the_kind() -> None:
    report = posted(anonymous="1", show_kind="1").to_report()
    assert report is not None
    assert (report.anonymous, report.show_kind) == (True, True)
    # The kind alone means nothing without anonymity.
    plain = posted(show_kind="1").to_report()
    assert plain is not None
    assert plain.show_kind is False


def test_junk_never_raises() -> None:
    form = posted(type="procedure", summary="a\x00b", idempotency_key="k" * 500)
    assert form.to_report() is None
    assert "summary" in form.errors
    assert form.problems  # the type
    assert len(form.value("idempotency_key")) < 200  # a fresh one replaced it


def test_a_refusal_of_the_service_goes_next_to_its_field() -> None:
    form = posted()
    form.add_service_error(InvalidInput("There is no area with the code ZZ.", field="area"))
    form.add_service_error(InvalidInput("Something about attachments.", field="attachments.0"))
    assert form.errors == {"area": "There is no area with the code ZZ."}
    assert form.problems == ["Something about attachments."]


def test_a_blank_form_takes_only_what_the_address_may_prefill() -> None:
    form = PublishForm.blank(
        prefill={"type": "incident", "stage": "update", "supersedes": "r1", "area": "CD61"},
        utc_offset="+02:00",
    )
    assert form.value("stage") == "update"
    assert form.value("supersedes") == "r1"
    assert form.value("area") == ""
    assert form.value("utc_offset") == "+02:00"
    assert form.value("idempotency_key")
    assert PublishForm.blank(prefill={}, utc_offset="junk").value("utc_offset") == "+00:00"
    situation = PublishForm.blank(prefill={"type": "situation"})
    assert situation.value("severity") == "minor"
