"""French and English labels for the codes an alert shows (DOMAIN.md vocabulary).

Guarantees: every code an alert can carry has a label in both languages, and a code that is
not in the vocabulary is refused (KeyError at fact construction) rather than shown raw to a
liaison. This is the one place alerts/ keeps labels; when policies/vocabulary.py lands with its
own labels, `label()` should read them there and these tables go.

SMS labels are shorter variants where the full label would eat the two-segment budget.
"""

from __future__ import annotations

from typing import Literal

Language = Literal["fr", "en"]
LANGUAGES: tuple[Language, ...] = ("fr", "en")

_Table = dict[str, tuple[str, str]]  # code -> (fr, en)

REPORT_TYPES: _Table = {
    "incident": ("Incident", "Incident"),
    "situation": ("Rapport de situation", "Situation report"),
    "alert": ("Alerte de sécurité", "Security alert"),
    "procedure": ("Procédure de sécurité", "Security procedure"),
    "mitigation": ("Mesure d’atténuation", "Mitigation measure"),
    "lesson": ("Leçons apprises", "Lessons learned"),
    "operational_plan": ("Planification opérationnelle", "Operational planning"),
    "risk_assessment": ("Évaluation des risques", "Risk assessment"),
}

STAGES: _Table = {
    "flash": ("flash", "flash"),
    "update": ("mise à jour", "update"),
    "final": ("final", "final"),
}

CATEGORIES: _Table = {
    "shooting": ("Tirs", "Shooting"),
    "explosive_ied": ("Explosif / EEI", "Explosive / IED"),
    "indirect_fire_airstrike": ("Tirs indirects / frappe aérienne", "Indirect fire / airstrike"),
    "complex_attack": ("Attaque complexe", "Complex attack"),
    "landmine_uxo": ("Mine / REG", "Landmine / UXO"),
    "armed_clash_crossfire": ("Affrontements / tirs croisés", "Armed clash / crossfire"),
    "bodily_assault": ("Agression physique", "Bodily assault"),
    "sexual_violence": ("Violence sexuelle", "Sexual violence"),
    "kidnapping_abduction": ("Enlèvement", "Kidnapping / abduction"),
    "disappearance": ("Disparition", "Disappearance"),
    "arrest_detention": ("Arrestation / détention", "Arrest / detention"),
    "armed_robbery": ("Vol à main armée", "Armed robbery"),
    "theft_burglary": ("Vol / cambriolage", "Theft / burglary"),
    "looting_property_damage": ("Pillage / dégâts matériels", "Looting / property damage"),
    "threat_intimidation_harassment": (
        "Menace / intimidation / harcèlement",
        "Threat / intimidation / harassment",
    ),
    "civil_unrest_mob": ("Troubles civils / foule", "Civil unrest / mob"),
    "access_obstruction": ("Entrave à l’accès", "Access obstruction"),
    "fraud_cyber": ("Fraude / cyber", "Fraud / cyber"),
    "road_traffic_accident": ("Accident de la route", "Road traffic accident"),
    "natural_hazard": ("Aléa naturel", "Natural hazard"),
    "other": ("Autre", "Other"),
}

# Shorter forms for SMS, where every character counts twice once an accent forces UCS-2.
CATEGORIES_SMS: _Table = {
    **CATEGORIES,
    "indirect_fire_airstrike": ("Tirs indirects", "Indirect fire"),
    "armed_clash_crossfire": ("Affrontements", "Armed clash"),
    "threat_intimidation_harassment": ("Menaces", "Threats"),
    "looting_property_damage": ("Pillage", "Looting"),
    "civil_unrest_mob": ("Troubles civils", "Civil unrest"),
    "kidnapping_abduction": ("Enlèvement", "Kidnapping"),
    "road_traffic_accident": ("Accident route", "Road accident"),
    "arrest_detention": ("Arrestation", "Arrest"),
    "access_obstruction": ("Accès entravé", "Access blocked"),
}

SEVERITIES: _Table = {
    "extreme": ("Extrême", "Extreme"),
    "severe": ("Grave", "Severe"),
    "moderate": ("Modéré", "Moderate"),
    "minor": ("Mineur", "Minor"),
}

# FIRST TLP 2.0 labels are the same in every language by design.
TLPS: _Table = {
    "red": ("TLP:RED", "TLP:RED"),
    "amber+strict": ("TLP:AMBER+STRICT", "TLP:AMBER+STRICT"),
    "amber": ("TLP:AMBER", "TLP:AMBER"),
    "green": ("TLP:GREEN", "TLP:GREEN"),
    "clear": ("TLP:CLEAR", "TLP:CLEAR"),
}

RISKS: _Table = {
    "very_low": ("très faible", "very low"),
    "low": ("faible", "low"),
    "medium": ("moyen", "medium"),
    "high": ("élevé", "high"),
    "very_high": ("très élevé", "very high"),
    "unacceptable": ("inacceptable", "unacceptable"),
}

LEVELS: _Table = {
    "normal": ("normale", "normal"),
    "enhanced": ("renforcée", "enhanced"),
}

CHANNELS: _Table = {
    "email": ("e-mail", "email"),
    "sms": ("SMS", "SMS"),
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
