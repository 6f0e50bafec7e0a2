"""Templates: both languages, every kind, header facts only, SMS within two segments."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alerts import labels
from alerts.facts import AlertFacts, AlertKind, MsgType, ReportFacts
from alerts.render import TEMPLATE_FILES, TEMPLATES, render_alert
from alerts.segments import Encoding, count_segments
from tests.alerts import factories as f

LANGS = ("fr", "en")


@pytest.mark.parametrize("kind", list(AlertKind))
@pytest.mark.parametrize("lang", LANGS)
def test_every_kind_has_every_template_in_both_languages(kind: AlertKind, lang: str) -> None:
    for name in TEMPLATE_FILES:
        assert (TEMPLATES / kind / lang / name).is_file(), f"{kind}/{lang}/{name}"


@pytest.mark.parametrize("kind", list(AlertKind))
@pytest.mark.parametrize("lang", LANGS)
def test_every_sms_fits_two_segments_at_the_longest_valid_inputs(
    kind: AlertKind, lang: str
) -> None:
    for facts in f.longest(kind):
        rendered = render_alert(facts, f.long_recipient(lang))  # type: ignore[arg-type]
        count = count_segments(rendered.sms)
        assert count.segments <= 2, (kind, lang, count, rendered.sms)
        # The liaison's phrase and any reply code survive the fitting.
        assert rendered.sms.startswith(f.LONG_PHRASE)
        if facts.ack is not None:
            assert f.LONG_CODE in rendered.sms


def test_french_long_sms_is_ucs2_and_still_fits() -> None:
    facts = f.longest(AlertKind.REPORT_PUBLISHED)[0]
    sms = render_alert(facts, f.long_recipient("fr")).sms
    count = count_segments(sms)
    assert count.encoding is Encoding.UCS2  # ç, ê in the phrase and summary
    assert count.segments == 2
    assert count.units <= 134


def test_an_ordinary_sms_keeps_the_whole_summary_and_the_link() -> None:
    rendered = render_alert(f.published(), f.recipient("fr"))
    assert "Vol à main armée sur la route Goma-Rutshuru, pas de blessé" in rendered.sms
    assert f.LINK in rendered.sms
    # Typographic dash made plain: the SMS stays GSM-7 and gets 160 characters a part.
    assert count_segments(rendered.sms).encoding is Encoding.GSM7
    assert rendered.sms.splitlines()[0] == (
        "girafe bleue: Grave Vol à main armée CD6102 23/11 07h TLP:AMBER+STRICT"
    )


def test_acknowledgement_sms_asks_for_the_reply_code() -> None:
    rendered = render_alert(f.published(ack=f.ack()), f.recipient("en"))
    assert rendered.sms.splitlines()[-1] == "Reply 482913 by 07:55"
    assert "482913" in rendered.text
    assert "https://hub.example.org/ack/T0k3n" in rendered.text
    assert "482913" in rendered.html
    assert 'href="https://hub.example.org/ack/T0k3n"' in rendered.html


@pytest.mark.parametrize("kind", list(AlertKind))
@pytest.mark.parametrize("lang", LANGS)
def test_every_rendering_carries_the_phrase_and_the_facts(kind: AlertKind, lang: str) -> None:
    for facts in f.longest(kind):
        rendered = render_alert(facts, f.recipient(lang))  # type: ignore[arg-type]
        assert rendered.subject.startswith("[SLT]")
        assert "\n" not in rendered.subject
        for text in (rendered.text, rendered.html, rendered.sms):
            assert "girafe bleue" in text
        if facts.report is not None:
            severity = labels.label(labels.SEVERITIES, facts.report.severity, lang)  # type: ignore[arg-type]
            assert severity in rendered.text
            assert severity in rendered.html
            assert facts.report.area_code in rendered.text
            assert "TLP:AMBER+STRICT" in rendered.text
        assert f'lang="{lang}"' in rendered.html


def test_french_text_is_french_and_english_is_english() -> None:
    fr = render_alert(f.published(msg_type=MsgType.UPDATE), f.recipient("fr"))
    en = render_alert(f.published(msg_type=MsgType.UPDATE), f.recipient("en"))
    assert fr.subject == "[SLT] MISE À JOUR : Grave — Vol à main armée — Nyiragongo (CD6102)"
    assert en.subject == "[SLT] UPDATE: Severe — Armed robbery — Nyiragongo (CD6102)"
    assert "Gravité    : Grave" in fr.text
    assert "Catégorie  : Vol à main armée" in fr.text
    assert "Severity    : Severe" in en.text
    # Time to the hour, in the liaison's zone (05:40 UTC is 07:40 in Lubumbashi).
    assert "23/11/2026 07h (Africa/Lubumbashi)" in fr.text
    assert "23 Nov 2026 07:00 (Africa/Lubumbashi)" in en.text


def test_level_change_in_both_languages() -> None:
    facts = AlertFacts(
        kind=AlertKind.LEVEL_CHANGED, event_id="e2", link=f.LINK, level_change=f.level_change()
    )
    fr = render_alert(facts, f.recipient("fr"))
    en = render_alert(facts, f.recipient("en"))
    assert fr.subject == "[SLT] Nord-Kivu (CD61) : risque élevé, coopération renforcée"
    assert en.subject == "[SLT] Nord-Kivu (CD61): risk high, enhanced cooperation"
    assert "risque moyen → élevé, coopération normale → coopération renforcée" in fr.text
    assert "zone CD61 risque élevé (avant moyen), coopération renforcée dès 23/11 07h" in fr.sms


def test_summary_markup_is_escaped_in_html_only() -> None:
    evil = '<script>alert(1)</script> <a href="http://phish.example">ici</a>'
    rendered = render_alert(f.published(report=f.report(summary=evil)), f.recipient("fr"))
    assert "<script>" not in rendered.html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in rendered.html
    assert 'href="http://phish.example"' not in rendered.html
    assert evil in rendered.text  # plain text shows it as typed, harmlessly


def test_a_summary_cannot_inject_lines_or_headers() -> None:
    rep = f.report(summary="ligne un\r\nBcc: victim@example.org\nligne deux")
    assert rep.summary == "ligne un Bcc: victim@example.org ligne deux"


def test_the_render_api_has_no_place_for_a_body() -> None:
    with pytest.raises(TypeError):
        AlertFacts(
            kind=AlertKind.REPORT_PUBLISHED,
            event_id="e",
            link=f.LINK,
            report=f.report(),
            body={"narrative": "x"},
        )  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        f.report(narrative="Trois hommes armés au PK 42")
    facts = f.published()
    with pytest.raises((AttributeError, TypeError, dataclasses.FrozenInstanceError)):
        facts.body = {"narrative": "x"}  # type: ignore[attr-defined]
    with pytest.raises(TypeError):
        render_alert({"kind": "report_published", "body": "x"}, f.recipient("fr"))  # type: ignore[arg-type]
    names = {field.name for field in dataclasses.fields(ReportFacts)}
    assert names.isdisjoint({"body", "narrative", "location", "coordinates", "affected", "actor"})


def test_reported_time_is_kept_to_the_hour() -> None:
    rep = f.report(reported_at=datetime(2026, 11, 23, 5, 41, 17, tzinfo=UTC))
    assert rep.reported_at == datetime(2026, 11, 23, 5, 0, tzinfo=UTC)


def test_unknown_codes_and_missing_phrase_are_refused() -> None:
    with pytest.raises(ValueError, match="category"):
        f.report(category="espionnage")
    with pytest.raises(ValueError, match="phrase"):
        f.recipient("fr", anti_phishing_phrase="  ")
    with pytest.raises(ValueError, match="summary"):
        f.report(summary="x" * 141)
    with pytest.raises(ValueError, match="needs report"):
        AlertFacts(kind=AlertKind.REPORT_PUBLISHED, event_id="e", link=f.LINK)


def test_labels_cover_the_domain_vocabulary_in_both_languages() -> None:
    categories = [
        "shooting",
        "explosive_ied",
        "indirect_fire_airstrike",
        "complex_attack",
        "landmine_uxo",
        "armed_clash_crossfire",
        "bodily_assault",
        "sexual_violence",
        "kidnapping_abduction",
        "disappearance",
        "arrest_detention",
        "armed_robbery",
        "theft_burglary",
        "looting_property_damage",
        "threat_intimidation_harassment",
        "civil_unrest_mob",
        "access_obstruction",
        "fraud_cyber",
        "road_traffic_accident",
        "natural_hazard",
        "other",
    ]
    assert sorted(labels.CATEGORIES) == sorted(categories)
    assert sorted(labels.CATEGORIES_SMS) == sorted(categories)
    for table in (labels.CATEGORIES, labels.REPORT_TYPES, labels.SEVERITIES, labels.RISKS):
        for fr, en in table.values():
            assert fr
            assert en


_TEXT = st.text(
    alphabet=st.sampled_from(
        [*"abcdeéèêçàùôî ’«»–…€[]{}~|^\\\"'-,.:;!?0123456789", "😀", "\u00a0"]
    ),
    max_size=140,
)


@settings(max_examples=60, deadline=None)
@given(
    summary=_TEXT,
    phrase=_TEXT.filter(lambda p: p.strip() != "").map(lambda p: p[:20]),
    lang=st.sampled_from(LANGS),
    with_ack=st.booleans(),
)
def test_any_valid_summary_and_phrase_fit_two_segments(
    summary: str, phrase: str, lang: str, with_ack: bool
) -> None:
    facts = f.published(
        report=f.long_report(summary=summary),
        ack=f.long_ack() if with_ack else None,
        link=f.LONG_LINK,
    )
    rendered = render_alert(facts, f.recipient(lang, anti_phishing_phrase=phrase))  # type: ignore[arg-type]
    assert rendered.sms is not None
    assert count_segments(rendered.sms).segments <= 2
    if with_ack:
        assert f.LONG_CODE in rendered.sms
