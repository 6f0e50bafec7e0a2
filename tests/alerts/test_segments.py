"""Segment arithmetic against worked examples from GSM 03.38 / 3GPP TS 23.038."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from alerts.segments import (
    GSM7_BASIC,
    GSM7_EXTENSION,
    Encoding,
    SmsTooLong,
    count_segments,
    fit_text,
    gsm_friendly,
    is_gsm7,
    split_parts,
)


def test_default_alphabet_has_the_127_printable_positions() -> None:
    # 128 code points, less the escape to the extension table.
    assert len(GSM7_BASIC) == 127
    assert GSM7_BASIC.isdisjoint(GSM7_EXTENSION)


@pytest.mark.parametrize(
    ("text", "encoding", "units", "segments"),
    [
        ("", Encoding.GSM7, 0, 0),
        ("Hello", Encoding.GSM7, 5, 1),
        ("a" * 160, Encoding.GSM7, 160, 1),
        ("a" * 161, Encoding.GSM7, 161, 2),
        ("a" * 306, Encoding.GSM7, 306, 2),
        ("a" * 307, Encoding.GSM7, 307, 3),
        # Extension characters cost an escape septet too.
        ("€" * 80, Encoding.GSM7, 160, 1),
        ("€" * 81, Encoding.GSM7, 162, 2),
        ("[~]^{|}\\", Encoding.GSM7, 16, 1),
        # French accents that GSM-7 has: é è à ù ì ò É Ç.
        ("Vol à main armée, enlèvement signalé", Encoding.GSM7, 36, 1),
        # ...and ones it lacks: ê, â, î, ô, û, ç, ë, ï force UCS-2 for the whole message.
        ("être", Encoding.UCS2, 4, 1),
        ("ê" * 70, Encoding.UCS2, 70, 1),
        ("ê" * 71, Encoding.UCS2, 71, 2),
        ("ê" * 134, Encoding.UCS2, 134, 2),
        ("ê" * 135, Encoding.UCS2, 135, 3),
        ("façade", Encoding.UCS2, 6, 1),
        # A character outside the BMP is a surrogate pair: two UTF-16 units.
        ("😀" * 35, Encoding.UCS2, 70, 1),
        ("😀" * 36, Encoding.UCS2, 72, 2),
    ],
)
def test_counts(text: str, encoding: Encoding, units: int, segments: int) -> None:
    count = count_segments(text)
    assert (count.encoding, count.units, count.segments) == (encoding, units, segments)


def test_an_escape_pair_is_never_split_across_parts() -> None:
    text = "a" * 152 + "€" + "a" * 10  # the € would straddle septets 153/154
    parts = split_parts(text)
    assert parts == ["a" * 152, "€" + "a" * 10]


def test_escapes_can_push_a_message_into_a_third_part() -> None:
    # 306 septets fit two parts only if no pair straddles a boundary.
    text = "a" * 152 + "€" * 77
    assert count_segments(text).units == 306
    assert count_segments(text).segments == 3


def test_a_surrogate_pair_is_never_split_across_parts() -> None:
    text = "ê" * 66 + "😀" + "ê" * 10
    assert split_parts(text) == ["ê" * 66, "😀" + "ê" * 10]


@given(st.text(alphabet=st.sampled_from([*sorted(GSM7_BASIC | GSM7_EXTENSION), "ê", "😀", "’"])))
def test_parts_rejoin_and_respect_the_part_size(text: str) -> None:
    parts = split_parts(text)
    assert "".join(parts) == text
    count = count_segments(text)
    assert count.segments == len(parts)
    if len(parts) > 1:
        for part in parts:
            if count.encoding is Encoding.GSM7:
                assert sum(2 if ch in GSM7_EXTENSION else 1 for ch in part) <= 153
            else:
                assert len(part.encode("utf-16-le")) // 2 <= 67


def test_typographic_punctuation_is_made_gsm_friendly_but_letters_are_kept() -> None:
    text = "L’équipe – «rentrée» … être"
    friendly = gsm_friendly(text)
    assert friendly == 'L\'équipe - "rentrée" ... être'
    assert is_gsm7(friendly.replace("être", "etre"))
    assert "ê" in friendly  # letters are never changed


def test_fit_text_leaves_a_short_text_alone() -> None:
    assert fit_text(lambda s: f"ALERTE: {s}", "court") == "ALERTE: court"


def test_fit_text_truncates_at_a_word_with_a_gsm_ellipsis_when_the_text_is_gsm() -> None:
    summary = "Vol à main armée sur la route nationale deux, " * 10
    fitted = fit_text(lambda s: f"ALERTE {s}\nfin", summary)
    assert count_segments(fitted).segments <= 2
    assert count_segments(fitted).encoding is Encoding.GSM7
    body = fitted.removeprefix("ALERTE ").removesuffix("\nfin")
    assert body.endswith("...")
    assert summary.startswith(body.removesuffix("..."))
    assert not body.removesuffix("...").endswith(" ")
    # Cut at a word boundary: the kept text ends with a whole word of the summary.
    assert body.removesuffix("...").split(" ")[-1] in summary.split(" ")


def test_fit_text_uses_the_unicode_ellipsis_once_the_text_is_ucs2_anyway() -> None:
    summary = "Être prudent près de la forêt, " * 10
    fitted = fit_text(lambda s: f"ALERTE {s}", summary)
    count = count_segments(fitted)
    assert count.encoding is Encoding.UCS2
    assert count.segments == 2
    assert fitted.endswith("…")


@given(st.text(alphabet=st.sampled_from(["a", " ", "ê", "😀", "€", "é"]), max_size=400))
def test_fit_text_always_fits_and_keeps_a_prefix(summary: str) -> None:
    fitted = fit_text(lambda s: f"phrase: {s}|", summary)
    assert count_segments(fitted).segments <= 2
    kept = fitted.removeprefix("phrase: ").removesuffix("|")
    stem = kept.removesuffix("...").removesuffix("…")
    assert summary.startswith(stem)
    kept.encode("utf-16")  # no lone surrogate anywhere


def test_fit_text_refuses_when_the_fixed_part_alone_is_too_long() -> None:
    with pytest.raises(SmsTooLong):
        fit_text(lambda s: "ê" * 135 + s, "résumé")
