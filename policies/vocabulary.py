"""The words the hub, the API and the policy file share, and their French and English labels.

Guarantees: every code is a `StrEnum` member whose value is exactly the string the API and the
database use (so `Tlp("amber+strict")` round-trips), every member has a label in both
languages (a test checks it), and the orderings the engine relies on (risk, TLP strictness,
severity, level) are defined here once.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Literal

Lang = Literal["fr", "en"]
LANGS: tuple[Lang, ...] = ("fr", "en")


class Risk(StrEnum):
    VERY_LOW = "very_low"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    VERY_HIGH = "very_high"
    UNACCEPTABLE = "unacceptable"


class Level(StrEnum):
    NORMAL = "normal"
    ENHANCED = "enhanced"


class Tlp(StrEnum):
    RED = "red"
    AMBER_STRICT = "amber+strict"
    AMBER = "amber"
    GREEN = "green"
    CLEAR = "clear"


class ReportType(StrEnum):
    INCIDENT = "incident"
    SITUATION = "situation"
    ALERT = "alert"
    PROCEDURE = "procedure"
    MITIGATION = "mitigation"
    LESSON = "lesson"
    OPERATIONAL_PLAN = "operational_plan"
    RISK_ASSESSMENT = "risk_assessment"
    MEETING_MINUTES = "meeting_minutes"


class Stage(StrEnum):
    FLASH = "flash"
    UPDATE = "update"
    FINAL = "final"


class Severity(StrEnum):
    EXTREME = "extreme"
    SEVERE = "severe"
    MODERATE = "moderate"
    MINOR = "minor"


class Precedence(StrEnum):
    FLASH = "flash"
    IMMEDIATE = "immediate"
    PRIORITY = "priority"
    ROUTINE = "routine"


class Category(StrEnum):
    SHOOTING = "shooting"
    EXPLOSIVE_IED = "explosive_ied"
    INDIRECT_FIRE_AIRSTRIKE = "indirect_fire_airstrike"
    COMPLEX_ATTACK = "complex_attack"
    LANDMINE_UXO = "landmine_uxo"
    ARMED_CLASH_CROSSFIRE = "armed_clash_crossfire"
    BODILY_ASSAULT = "bodily_assault"
    SEXUAL_VIOLENCE = "sexual_violence"
    KIDNAPPING_ABDUCTION = "kidnapping_abduction"
    DISAPPEARANCE = "disappearance"
    ARREST_DETENTION = "arrest_detention"
    ARMED_ROBBERY = "armed_robbery"
    THEFT_BURGLARY = "theft_burglary"
    LOOTING_PROPERTY_DAMAGE = "looting_property_damage"
    THREAT_INTIMIDATION_HARASSMENT = "threat_intimidation_harassment"
    CIVIL_UNREST_MOB = "civil_unrest_mob"
    ACCESS_OBSTRUCTION = "access_obstruction"
    FRAUD_CYBER = "fraud_cyber"
    ROAD_TRAFFIC_ACCIDENT = "road_traffic_accident"
    NATURAL_HAZARD = "natural_hazard"
    OTHER = "other"


class Role(StrEnum):
    FOCAL_POINT = "focal_point"
    LIAISON = "liaison"
    COORDINATOR = "coordinator"
    COMMITTEE = "committee"
    OPERATOR = "operator"


class OrganisationKind(StrEnum):
    UN = "un"
    INGO = "ingo"
    IO = "io"
    NGO = "ngo"
    OTHER = "other"


class OrganisationStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    SUSPENDED = "suspended"


class Channel(StrEnum):
    EMAIL = "email"
    SMS = "sms"


class AlertMode(StrEnum):
    IMMEDIATE = "immediate"
    DIGEST = "digest"


class AudienceScope(StrEnum):
    """Audiences that are not a list of names. `originator` exists only as a policy default:
    "nobody else unless the author chooses"."""

    ORIGINATOR = "originator"
    AREA = "area"
    ALL_PARTNERS = "all_partners"


class EscalationTarget(StrEnum):
    DEPUTY = "deputy"
    FOCAL_POINTS = "focal_points"


class Briefing(StrEnum):
    NONE = "none"
    DAILY = "daily"
    WEEKLY = "weekly"
    FORTNIGHTLY = "fortnightly"
    MONTHLY = "monthly"


# Orderings, lowest first. Kept as tuples (not enum definition order) so that reordering a
# class body for readability can never silently change a rule.
RISK_ORDER: tuple[Risk, ...] = (
    Risk.VERY_LOW,
    Risk.LOW,
    Risk.MEDIUM,
    Risk.HIGH,
    Risk.VERY_HIGH,
    Risk.UNACCEPTABLE,
)
LEVEL_ORDER: tuple[Level, ...] = (Level.NORMAL, Level.ENHANCED)
# From the most open to the most restrictive.
TLP_ORDER: tuple[Tlp, ...] = (Tlp.CLEAR, Tlp.GREEN, Tlp.AMBER, Tlp.AMBER_STRICT, Tlp.RED)
SEVERITY_ORDER: tuple[Severity, ...] = (
    Severity.MINOR,
    Severity.MODERATE,
    Severity.SEVERE,
    Severity.EXTREME,
)
AUDIENCE_BREADTH: tuple[AudienceScope, ...] = (
    AudienceScope.ORIGINATOR,
    AudienceScope.AREA,
    AudienceScope.ALL_PARTNERS,
)

DEFAULT_PRECEDENCE: Mapping[Severity, Precedence] = {
    Severity.EXTREME: Precedence.FLASH,
    Severity.SEVERE: Precedence.IMMEDIATE,
    Severity.MODERATE: Precedence.PRIORITY,
    Severity.MINOR: Precedence.ROUTINE,
}


def risk_rank(risk: Risk) -> int:
    return RISK_ORDER.index(risk)


def level_rank(level: Level) -> int:
    return LEVEL_ORDER.index(level)


def tlp_rank(tlp: Tlp) -> int:
    """Higher is more restrictive."""
    return TLP_ORDER.index(tlp)


def severity_rank(severity: Severity) -> int:
    return SEVERITY_ORDER.index(severity)


Labels = Mapping[str, Mapping[Lang, str]]

RISK_LABELS: Labels = {
    Risk.VERY_LOW: {"fr": "très faible", "en": "very low"},
    Risk.LOW: {"fr": "faible", "en": "low"},
    Risk.MEDIUM: {"fr": "moyen", "en": "medium"},
    Risk.HIGH: {"fr": "élevé", "en": "high"},
    Risk.VERY_HIGH: {"fr": "très élevé", "en": "very high"},
    Risk.UNACCEPTABLE: {"fr": "inacceptable", "en": "unacceptable"},
}
LEVEL_LABELS: Labels = {
    Level.NORMAL: {"fr": "coopération normale", "en": "normal cooperation"},
    Level.ENHANCED: {"fr": "coopération renforcée", "en": "enhanced cooperation"},
}
# TLP labels are the same in every language (FIRST TLP 2.0 forbids translating them).
TLP_LABELS: Labels = {t: {"fr": f"TLP:{t.upper()}", "en": f"TLP:{t.upper()}"} for t in Tlp}
REPORT_TYPE_LABELS: Labels = {
    ReportType.INCIDENT: {"fr": "rapport d’incident", "en": "incident report"},
    ReportType.SITUATION: {"fr": "rapport de situation", "en": "situation report"},
    ReportType.ALERT: {"fr": "alerte de sécurité", "en": "security alert"},
    ReportType.PROCEDURE: {"fr": "procédure de sécurité", "en": "security procedure"},
    ReportType.MITIGATION: {
        "fr": "mesure d’atténuation ou d’urgence",
        "en": "mitigation or emergency measure",
    },
    ReportType.LESSON: {"fr": "leçons apprises", "en": "lessons learned"},
    ReportType.OPERATIONAL_PLAN: {"fr": "planification opérationnelle", "en": "operational plan"},
    ReportType.RISK_ASSESSMENT: {"fr": "évaluation des risques", "en": "risk assessment"},
    ReportType.MEETING_MINUTES: {"fr": "compte rendu de réunion", "en": "meeting minutes"},
}
STAGE_LABELS: Labels = {
    Stage.FLASH: {"fr": "flash", "en": "flash"},
    Stage.UPDATE: {"fr": "mise à jour", "en": "update"},
    Stage.FINAL: {"fr": "rapport final", "en": "final report"},
}
SEVERITY_LABELS: Labels = {
    Severity.EXTREME: {"fr": "extrême", "en": "extreme"},
    Severity.SEVERE: {"fr": "grave", "en": "severe"},
    Severity.MODERATE: {"fr": "modérée", "en": "moderate"},
    Severity.MINOR: {"fr": "mineure", "en": "minor"},
}
PRECEDENCE_LABELS: Labels = {
    Precedence.FLASH: {"fr": "flash", "en": "flash"},
    Precedence.IMMEDIATE: {"fr": "immédiate", "en": "immediate"},
    Precedence.PRIORITY: {"fr": "prioritaire", "en": "priority"},
    Precedence.ROUTINE: {"fr": "routine", "en": "routine"},
}
CATEGORY_LABELS: Labels = {
    Category.SHOOTING: {"fr": "tirs", "en": "shooting"},
    Category.EXPLOSIVE_IED: {"fr": "engin explosif (EEI)", "en": "explosive / IED"},
    Category.INDIRECT_FIRE_AIRSTRIKE: {
        "fr": "tirs indirects / frappe aérienne",
        "en": "indirect fire / airstrike",
    },
    Category.COMPLEX_ATTACK: {"fr": "attaque complexe", "en": "complex attack"},
    Category.LANDMINE_UXO: {"fr": "mine / engin non explosé", "en": "landmine / UXO"},
    Category.ARMED_CLASH_CROSSFIRE: {
        "fr": "affrontement armé / tirs croisés",
        "en": "armed clash / crossfire",
    },
    Category.BODILY_ASSAULT: {"fr": "agression physique", "en": "bodily assault"},
    Category.SEXUAL_VIOLENCE: {"fr": "violence sexuelle", "en": "sexual violence"},
    Category.KIDNAPPING_ABDUCTION: {"fr": "enlèvement", "en": "kidnapping / abduction"},
    Category.DISAPPEARANCE: {"fr": "disparition", "en": "disappearance"},
    Category.ARREST_DETENTION: {"fr": "arrestation / détention", "en": "arrest / detention"},
    Category.ARMED_ROBBERY: {"fr": "vol à main armée", "en": "armed robbery"},
    Category.THEFT_BURGLARY: {"fr": "vol / cambriolage", "en": "theft / burglary"},
    Category.LOOTING_PROPERTY_DAMAGE: {
        "fr": "pillage / dégâts matériels",
        "en": "looting / property damage",
    },
    Category.THREAT_INTIMIDATION_HARASSMENT: {
        "fr": "menace / intimidation / harcèlement",
        "en": "threat / intimidation / harassment",
    },
    Category.CIVIL_UNREST_MOB: {"fr": "troubles civils / foule", "en": "civil unrest / mob"},
    Category.ACCESS_OBSTRUCTION: {"fr": "entrave à l’accès", "en": "access obstruction"},
    Category.FRAUD_CYBER: {"fr": "fraude / cyberattaque", "en": "fraud / cyber"},
    Category.ROAD_TRAFFIC_ACCIDENT: {
        "fr": "accident de la circulation",
        "en": "road traffic accident",
    },
    Category.NATURAL_HAZARD: {"fr": "aléa naturel", "en": "natural hazard"},
    Category.OTHER: {"fr": "autre", "en": "other"},
}
ROLE_LABELS: Labels = {
    Role.FOCAL_POINT: {"fr": "point focal sécurité", "en": "security focal point"},
    Role.LIAISON: {"fr": "agent de liaison", "en": "liaison"},
    Role.COORDINATOR: {"fr": "coordinateur sécurité", "en": "security coordinator"},
    Role.COMMITTEE: {"fr": "membre du comité de supervision", "en": "oversight committee member"},
    Role.OPERATOR: {"fr": "opérateur du hub", "en": "hub operator"},
}
ORGANISATION_KIND_LABELS: Labels = {
    OrganisationKind.UN: {"fr": "entité des Nations unies", "en": "UN entity"},
    OrganisationKind.INGO: {"fr": "ONG internationale", "en": "international NGO"},
    OrganisationKind.IO: {"fr": "organisation internationale", "en": "international organisation"},
    OrganisationKind.NGO: {"fr": "ONG nationale", "en": "national NGO"},
    OrganisationKind.OTHER: {"fr": "autre", "en": "other"},
}
ORGANISATION_STATUS_LABELS: Labels = {
    OrganisationStatus.PENDING: {"fr": "en attente d’approbation", "en": "pending approval"},
    OrganisationStatus.APPROVED: {"fr": "approuvée", "en": "approved"},
    OrganisationStatus.SUSPENDED: {"fr": "suspendue", "en": "suspended"},
}
CHANNEL_LABELS: Labels = {
    Channel.EMAIL: {"fr": "courriel", "en": "email"},
    Channel.SMS: {"fr": "SMS", "en": "SMS"},
}
ALERT_MODE_LABELS: Labels = {
    AlertMode.IMMEDIATE: {"fr": "immédiate", "en": "immediate"},
    AlertMode.DIGEST: {"fr": "résumé groupé", "en": "digest"},
}
AUDIENCE_SCOPE_LABELS: Labels = {
    AudienceScope.ORIGINATOR: {
        "fr": "l’organisation d’origine seule",
        "en": "the originating organisation only",
    },
    AudienceScope.AREA: {
        "fr": "les partenaires approuvés présents dans la zone",
        "en": "approved partners present in the area",
    },
    AudienceScope.ALL_PARTNERS: {
        "fr": "tous les partenaires approuvés",
        "en": "all approved partners",
    },
}
ESCALATION_TARGET_LABELS: Labels = {
    EscalationTarget.DEPUTY: {"fr": "l’agent de liaison suppléant", "en": "the deputy liaison"},
    EscalationTarget.FOCAL_POINTS: {
        "fr": "les points focaux de l’organisation",
        "en": "the organisation’s focal points",
    },
}
BRIEFING_LABELS: Labels = {
    Briefing.NONE: {"fr": "aucun briefing programmé", "en": "no scheduled briefing"},
    Briefing.DAILY: {"fr": "briefing quotidien", "en": "daily briefing"},
    Briefing.WEEKLY: {"fr": "briefing hebdomadaire", "en": "weekly briefing"},
    Briefing.FORTNIGHTLY: {"fr": "briefing toutes les deux semaines", "en": "fortnightly briefing"},
    Briefing.MONTHLY: {"fr": "briefing mensuel", "en": "monthly briefing"},
}

LABELS: Mapping[type[StrEnum], Labels] = {
    Risk: RISK_LABELS,
    Level: LEVEL_LABELS,
    Tlp: TLP_LABELS,
    ReportType: REPORT_TYPE_LABELS,
    Stage: STAGE_LABELS,
    Severity: SEVERITY_LABELS,
    Precedence: PRECEDENCE_LABELS,
    Category: CATEGORY_LABELS,
    Role: ROLE_LABELS,
    OrganisationKind: ORGANISATION_KIND_LABELS,
    OrganisationStatus: ORGANISATION_STATUS_LABELS,
    Channel: CHANNEL_LABELS,
    AlertMode: ALERT_MODE_LABELS,
    AudienceScope: AUDIENCE_SCOPE_LABELS,
    EscalationTarget: ESCALATION_TARGET_LABELS,
    Briefing: BRIEFING_LABELS,
}


def label(value: StrEnum, lang: Lang = "fr") -> str:
    """The label a person reads for a code, in French (the hub's first language) or English."""
    return LABELS[type(value)][value][lang]
