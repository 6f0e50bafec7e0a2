"""The shared vocabulary: API codes, orderings and labels in both languages."""

from __future__ import annotations

from enum import StrEnum

import pytest

from policies.vocabulary import (
    LABELS,
    RISK_ORDER,
    SEVERITY_ORDER,
    TLP_ORDER,
    Category,
    Risk,
    Severity,
    Tlp,
    label,
)


def test_codes_are_the_api_strings() -> None:
    assert Tlp("amber+strict") is Tlp.AMBER_STRICT
    assert f"{Tlp.AMBER_STRICT}" == "amber+strict"
    assert len(Category) == 21
    assert Category("kidnapping_abduction") is Category.KIDNAPPING_ABDUCTION


def test_orderings_cover_their_enums() -> None:
    assert set(RISK_ORDER) == set(Risk)
    assert set(TLP_ORDER) == set(Tlp)
    assert set(SEVERITY_ORDER) == set(Severity)
    assert TLP_ORDER[-1] is Tlp.RED


@pytest.mark.parametrize("enum", list(LABELS), ids=lambda e: e.__name__)
def test_every_code_has_a_label_in_french_and_english(enum: type[StrEnum]) -> None:
    for member in enum:
        fr, en = label(member, "fr"), label(member, "en")
        assert fr.strip()
        assert en.strip()


def test_french_labels_are_french() -> None:
    assert label(Risk.VERY_HIGH, "fr") == "très élevé"
    assert label(Severity.MODERATE, "fr") == "modérée"
    assert label(Category.ACCESS_OBSTRUCTION, "fr") == "entrave à l’accès"
    assert label(Tlp.AMBER_STRICT, "fr") == "TLP:AMBER+STRICT"
