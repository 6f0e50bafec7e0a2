"""French and English labels for the codes an alert shows.

Guarantees: the words are policies/vocabulary.py's — the same labels the web pages and the
policy engine's explanations use — so a category or a risk reads the same in an alert as on
the hub; every code an alert can carry has a label in both languages, and a code outside the
vocabulary is refused (ValueError at fact construction) rather than shown raw to a liaison.

What alerts/ adds here: display casing for labels that open a line or a table cell, shorter
category forms for SMS (where every character counts twice once an accent forces UCS-2), and
the update/cancel markers.
"""

from __future__ import annotations

from collections.abc import Mapping

from policies import vocabulary as vocab

Language = vocab.Lang
LANGUAGES: tuple[Language, ...] = vocab.LANGS

_Table = Mapping[str, tuple[str, str]]  # code -> (fr, en)


def _table(labels: vocab.Labels, *, capitalise: bool = False) -> dict[str, tuple[str, str]]:
    def shown(text: str) -> str:
        return text[:1].upper() + text[1:] if capitalise else text

    return {str(code): (shown(lang["fr"]), shown(lang["en"])) for code, lang in labels.items()}


REPORT_TYPES = _table(vocab.REPORT_TYPE_LABELS, capitalise=True)
STAGES = _table(vocab.STAGE_LABELS)
CATEGORIES = _table(vocab.CATEGORY_LABELS, capitalise=True)
SEVERITIES = _table(vocab.SEVERITY_LABELS, capitalise=True)
PRECEDENCES = _table(vocab.PRECEDENCE_LABELS)
TLPS = _table(vocab.TLP_LABELS)
RISKS = _table(vocab.RISK_LABELS)
LEVELS = _table(vocab.LEVEL_LABELS)
CHANNELS = _table(vocab.CHANNEL_LABELS)
BRIEFINGS = _table(vocab.BRIEFING_LABELS)

# Shorter forms for SMS; a category without one here uses its full label.
CATEGORIES_SMS: _Table = {
    **CATEGORIES,
    "explosive_ied": ("Explosif / EEI", "Explosive / IED"),
    "indirect_fire_airstrike": ("Tirs indirects", "Indirect fire"),
    "landmine_uxo": ("Mine / REG", "Landmine / UXO"),
    "armed_clash_crossfire": ("Affrontements", "Armed clash"),
    "threat_intimidation_harassment": ("Menaces", "Threats"),
    "looting_property_damage": ("Pillage", "Looting"),
    "civil_unrest_mob": ("Troubles civils", "Civil unrest"),
    "kidnapping_abduction": ("Enlèvement", "Kidnapping"),
    "road_traffic_accident": ("Accident route", "Road accident"),
    "arrest_detention": ("Arrestation", "Arrest"),
    "access_obstruction": ("Accès entravé", "Access blocked"),
    "fraud_cyber": ("Fraude / cyber", "Fraud / cyber"),
}

SHARE_OUTCOMES: _Table = {
    "pending": ("en attente de votre réponse", "awaiting your answer"),
    "approved": ("accepté", "approved"),
    # Only a key holder can re-seal: readable once one of them is next online.
    "approved_waiting": (
        "accepté, lisible dès qu’un détenteur de clés se connectera",
        "approved, readable when a key holder is next online",
    ),
    "denied": ("refusé", "denied"),
}

# An SMS has no room for the long forms (two segments, often UCS-2 in French).
SHARE_OUTCOMES_SMS: _Table = {
    "pending": ("en attente", "pending"),
    "approved": ("acceptée", "approved"),
    "approved_waiting": ("acceptée, lisible plus tard", "approved, readable later"),
    "denied": ("refusée", "denied"),
}

MSG_TYPES: _Table = {
    "alert": ("", ""),
    "update": ("MISE À JOUR", "UPDATE"),
    "cancel": ("ANNULATION", "CANCELLED"),
}

MSG_TYPES_SMS: _Table = {
    "alert": ("", ""),
    "update": ("MàJ", "UPD"),
    "cancel": ("ANNULÉ", "CANCELLED"),
}


def label(table: _Table, code: str, language: Language) -> str:
    fr, en = table[code]
    return fr if language == "fr" else en


def check_code(table: _Table, code: str, what: str) -> None:
    if code not in table:
        raise ValueError(f"unknown {what}: {code!r}")


def risk_raised(old: str, new: str) -> bool:
    return vocab.risk_rank(vocab.Risk(new)) > vocab.risk_rank(vocab.Risk(old))
