"""Explanations read as a person would want, in French and in English."""

from __future__ import annotations

from datetime import timedelta

import pytest

from policies import (
    Assessment,
    Audience,
    Decision,
    Reason,
    ReasonCode,
    area_standing,
    can_lower_level,
    default_policy,
    explain,
    explain_lines,
    index_assessments,
    may_read,
    may_share,
    organisation_map,
    resolve_recipients,
)
from policies.explain import TEMPLATES
from policies.vocabulary import AudienceScope, Level, OrganisationStatus, Risk, Tlp
from tests.policies.factories import AREAS, NOW, header, org

POLICY = default_policy()
NAMES = {"x": "Aide Rapide", "R1": "R-2026-0042", "CD61": "Nord-Kivu"}


def test_the_example_of_issue_4_in_english_and_french() -> None:
    d = may_read(org("x", "ML01"), header(tlp=Tlp.AMBER_STRICT), frozenset({"origin"}), areas=AREAS)
    assert explain(d, "en", {"x": "X", "R1": "R"}) == (
        "Organisation X cannot read R: TLP AMBER+STRICT and X is not a recipient. "
        "X may ask the originator to share it."
    )
    assert explain(d, "fr", NAMES) == (
        "L’organisation Aide Rapide ne peut pas lire R-2026-0042\u00a0: TLP AMBER+STRICT et "
        "Aide Rapide n’en est pas destinataire. Aide Rapide peut demander à l’organisation "
        "d’origine de le lui transmettre."
    )


def test_french_labels_keep_their_accents() -> None:
    rows = index_assessments([Assessment("CD", Risk.VERY_HIGH, NOW - timedelta(days=2))])
    d = area_standing("CD61", AREAS, rows, NOW, POLICY)
    text = explain(d, "fr", NAMES)
    assert "hérite du risque très élevé de CD" in text
    assert "Un risque très élevé implique la coopération renforcée." in text
    assert "depuis le 21/11/2026 à 12:00 UTC" in text
    assert "inherits very high from CD (since 21 Nov 2026 12:00 UTC)" in explain(d, "en", NAMES)


def test_four_eyes_explained() -> None:
    d = can_lower_level(Risk.HIGH, Risk.LOW, proposed_by="ann", policy=POLICY)
    assert explain(d, "en") == (
        "Going from enhanced cooperation to normal cooperation needs 2 coordinators to agree; "
        "1 so far. Another coordinator must confirm."
    )
    assert explain(d, "fr").startswith(
        "Le passage de la coopération renforcée à la coopération normale exige l’accord de "
        "2 coordinateurs\u00a0; 1 pour l’instant."
    )


def test_recipients_explained_without_naming_the_originator() -> None:
    orgs = organisation_map(
        [org("origin", "CD61"), org("s", "CD61", status=OrganisationStatus.SUSPENDED)]
    )
    h = header(originator="origin")
    d = resolve_recipients(h, Audience.named("s"), orgs, Level.NORMAL, POLICY, areas=AREAS)
    text = explain(d, "en", {"s": "Secours Sud"})
    assert "Organisation Secours Sud receives nothing new: it is suspended." in text
    assert "origin" not in text.replace("originating", "")
    d = resolve_recipients(
        header(tlp=Tlp.RED),
        Audience.of_scope(AudienceScope.AREA),
        orgs,
        Level.NORMAL,
        POLICY,
        areas=AREAS,
    )
    assert "TLP RED goes only to organisations named one by one" in explain(d, "en")
    assert "Le TLP RED ne va qu’à des organisations nommées une à une" in explain(d, "fr")


def test_refused_sharing_explains_how_to_ask() -> None:
    d = may_share(
        org("holder", "CD61"),
        org("far", "ML01"),
        header(tlp=Tlp.AMBER),
        frozenset({"origin", "holder"}),
        (),
        (),
        POLICY,
        areas=AREAS,
        at=NOW,
    )
    assert explain(d, "en", {"holder": "H", "far": "F", "R1": "R"}) == (
        "Organisation H cannot pass R to F: TLP AMBER needs the originator’s consent, and it "
        "has not been given. H may ask the originator for that consent."
    )


def test_every_reason_has_a_sentence_in_both_languages() -> None:
    assert set(TEMPLATES) == set(ReasonCode)
    for en, fr in TEMPLATES.values():
        assert en.strip()
        assert fr.strip()
        assert en != fr


@pytest.mark.parametrize("code", list(ReasonCode))
def test_every_template_renders_with_plausible_parameters(code: ReasonCode) -> None:
    import string

    fields = {
        f for en, fr in [TEMPLATES[code]] for _, f, _, _ in string.Formatter().parse(en + fr) if f
    } - {"nb"}
    sample: dict[str, str] = {
        "risk": "high",
        "from_risk": "high",
        "to_risk": "low",
        "level": "normal",
        "from_level": "enhanced",
        "to_level": "normal",
        "severity": "extreme",
        "min_severity": "severe",
        "status": "pending",
        "type": "incident",
        "scope": "area",
        "tlp": "amber",
        "since": NOW.isoformat(),
        "until": NOW.isoformat(),
        "at": NOW.isoformat(),
        "deadline": NOW.isoformat(),
        "expired_at": NOW.isoformat(),
        "duration": "3600",
        "max": "86400",
    }
    reason = Reason(code, tuple((f, sample.get(f, f"<{f}>")) for f in sorted(fields)))
    for lang in ("fr", "en"):
        (line,) = explain_lines(Decision(None, (reason,)), lang)
        assert "{" not in line
        assert line.endswith((".", ")"))
