"""Decisions in words, in French or English.

Guarantees: every `ReasonCode` has a sentence in both languages (a test checks it); codes are
rendered with their labels from `policies.vocabulary` (so French reads with its accents),
TLP labels stay untranslated as FIRST TLP 2.0 requires, organisation / report / area ids are
replaced by the names the caller passes (an unknown id is shown as is), and times are shown
in UTC, since the hub cannot know the reader's time zone. Rendering never fails on a decision
the engine produced.

Nothing here names the originator of a report: reasons never carry it (only IS_ORIGINATOR
names the reader itself), so an explanation cannot unmask an anonymous report.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from policies.decision import Decision, Reason, ReasonCode
from policies.vocabulary import (
    AudienceScope,
    EscalationTarget,
    Lang,
    Level,
    OrganisationStatus,
    ReportType,
    Risk,
    Severity,
    label,
)

_NB = "\u00a0"  # French puts a no-break space before ":" and ";"

_T = ReasonCode
# (English, French)
TEMPLATES: Mapping[ReasonCode, tuple[str, str]] = {
    _T.OWN_ASSESSMENT: (
        "{area} has its own risk assessment: {risk} since {since}.",
        "{area} a sa propre évaluation du risque{nb}: {risk} depuis le {since}.",
    ),
    _T.INHERITED_ASSESSMENT: (
        "{area} has no risk assessment of its own in force and inherits {risk} from {source}"
        " (since {since}).",
        "{area} n’a pas d’évaluation du risque propre en vigueur et hérite du risque {risk}"
        " de {source} (depuis le {since}).",
    ),
    _T.NO_ASSESSMENT: (
        "Neither {area} nor any area containing it has a risk assessment in force:"
        " the policy’s default risk, {risk}, applies.",
        "Ni {area} ni aucune zone qui la contient n’a d’évaluation du risque en vigueur{nb}:"
        " le risque par défaut de la politique, {risk}, s’applique.",
    ),
    _T.UNKNOWN_AREA: (
        "{area} is not a known area: the policy’s default risk, {risk}, applies.",
        "{area} n’est pas une zone connue{nb}: le risque par défaut de la politique, {risk},"
        " s’applique.",
    ),
    _T.EXPIRED_IGNORED: (
        "A temporary {risk} risk on {area} expired on {expired_at} and no longer counts.",
        "Un risque temporaire {risk} sur {area} a expiré le {expired_at} et ne compte plus.",
    ),
    _T.RISK_LEVEL: (
        "A {risk} risk means {level}.",
        "Un risque {risk} implique la {level}.",
    ),
    _T.NO_GO: (
        "A {risk} risk also makes the area a no-go area.",
        "Un risque {risk} fait aussi de la zone une zone interdite (no-go).",
    ),
    _T.PUBLISHER_NOT_APPROVED: (
        "Organisation {org} cannot publish: it is {status}.",
        "L’organisation {org} ne peut pas publier{nb}: elle est {status}.",
    ),
    _T.TYPE_ALLOWED: (
        "The report type “{type}” is allowed under {level}.",
        "Le type «{nb}{type}{nb}» est autorisé en {level}.",
    ),
    _T.TYPE_NOT_ALLOWED: (
        "The report type “{type}” is not allowed under {level}.",
        "Le type «{nb}{type}{nb}» n’est pas autorisé en {level}.",
    ),
    _T.AREA_COARSENED: (
        "The header names {to_area} rather than {area}: under {level} a header may be no finer"
        " than depth {depth}; the exact place belongs in the sealed body.",
        "L’en-tête indique {to_area} plutôt que {area}{nb}: en {level}, un en-tête ne peut pas"
        " être plus précis que le niveau {depth}{nb}; le lieu exact va dans le corps chiffré.",
    ),
    _T.AREA_PRECISE_ENOUGH: (
        "{area} is coarse enough for the header (depth {depth} at most).",
        "{area} est assez général pour l’en-tête (niveau {depth} au plus).",
    ),
    _T.RETAINED_UNTIL: (
        "A report of type “{type}” published under {level} is kept for {duration}, until"
        " {until}; then it is destroyed.",
        "Un rapport de type «{nb}{type}{nb}» publié en {level} est conservé {duration},"
        " jusqu’au {until}{nb}; il est ensuite détruit.",
    ),
    _T.ORIGINATOR_RECEIVES: (
        "The originating organisation always receives its own report.",
        "L’organisation d’origine reçoit toujours son propre rapport.",
    ),
    _T.DEFAULT_AUDIENCE: (
        "No audience was chosen, so the default under {level} applies: {scope}.",
        "Aucun public n’a été choisi, donc le public par défaut en {level} s’applique{nb}:"
        " {scope}.",
    ),
    _T.AUDIENCE_NAMED: (
        "The report goes to the organisations it names that are approved ({count}).",
        "Le rapport va aux organisations qu’il nomme et qui sont approuvées ({count}).",
    ),
    _T.AUDIENCE_AREA: (
        "The report goes to the approved partners present in {area}, in an area containing it"
        " or inside it ({count}).",
        "Le rapport va aux partenaires approuvés présents dans {area}, dans une zone qui la"
        " contient ou qu’elle contient ({count}).",
    ),
    _T.AUDIENCE_ALL_PARTNERS: (
        "The report goes to every other approved partner ({count}).",
        "Le rapport va à tous les autres partenaires approuvés ({count}).",
    ),
    _T.AUDIENCE_ORIGINATOR_ONLY: (
        "No other organisation receives it until the originator shares it.",
        "Aucune autre organisation ne le reçoit tant que l’organisation d’origine ne le"
        " partage pas.",
    ),
    _T.RED_NEEDS_NAMES: (
        "TLP RED goes only to organisations named one by one, not to {scope}:"
        " nobody else receives it.",
        "Le TLP RED ne va qu’à des organisations nommées une à une, pas à {scope}{nb}:"
        " personne d’autre ne le reçoit.",
    ),
    _T.EXCLUDED_NOT_APPROVED: (
        "Organisation {org} receives nothing new: it is {status}.",
        "L’organisation {org} ne reçoit rien de nouveau{nb}: elle est {status}.",
    ),
    _T.EXCLUDED_UNKNOWN: (
        "Organisation {org} is not known and receives nothing.",
        "L’organisation {org} est inconnue et ne reçoit rien.",
    ),
    _T.IS_ORIGINATOR: (
        "Organisation {org} can read {report}: it wrote it.",
        "L’organisation {org} peut lire {report}{nb}: c’est elle qui l’a rédigé.",
    ),
    _T.IS_RECIPIENT: (
        "Organisation {org} can read {report}: it is a recipient (TLP {tlp}).",
        "L’organisation {org} peut lire {report}{nb}: elle en est destinataire (TLP {tlp}).",
    ),
    _T.NOT_RECIPIENT: (
        "Organisation {org} cannot read {report}: TLP {tlp} and {org} is not a recipient.",
        "L’organisation {org} ne peut pas lire {report}{nb}: TLP {tlp} et {org} n’en est pas"
        " destinataire.",
    ),
    _T.HINT_ASK_ORIGINATOR: (
        "{org} may ask the originator to share it.",
        "{org} peut demander à l’organisation d’origine de le lui transmettre.",
    ),
    _T.HINT_GREEN_ANY_HOLDER: (
        "Any organisation holding it may pass it to {org}, an approved partner of {area},"
        " without asking.",
        "Toute organisation qui le détient peut le transmettre à {org}, partenaire approuvé de"
        " {area}, sans rien demander.",
    ),
    _T.HINT_CLEAR_ANY_HOLDER: (
        "It is TLP CLEAR: any organisation holding it may pass it to {org}.",
        "Il est en TLP CLEAR{nb}: toute organisation qui le détient peut le transmettre à {org}.",
    ),
    _T.HINT_REQUEST_CONSENT: (
        "{holder} may ask the originator for that consent.",
        "{holder} peut demander ce consentement à l’organisation d’origine.",
    ),
    _T.NOT_A_HOLDER: (
        "Organisation {org} cannot pass {report} on: it does not hold it.",
        "L’organisation {org} ne peut pas transmettre {report}{nb}: elle ne le détient pas.",
    ),
    _T.TARGET_NOT_APPROVED: (
        "Organisation {target} cannot receive it: it is {status}.",
        "L’organisation {target} ne peut pas le recevoir{nb}: elle est {status}.",
    ),
    _T.ALREADY_RECIPIENT: (
        "Organisation {target} already receives {report}.",
        "L’organisation {target} reçoit déjà {report}.",
    ),
    _T.ORIGINATOR_SHARES: (
        "Organisation {holder} wrote the report and may share it with {target}.",
        "L’organisation {holder} a rédigé le rapport et peut le partager avec {target}.",
    ),
    _T.RED_NEVER_ONWARD: (
        "{report} is TLP RED: it never travels beyond the organisations the originator named.",
        "{report} est en TLP RED{nb}: il ne va jamais au-delà des organisations nommées par"
        " l’organisation d’origine.",
    ),
    _T.CLEAR_ANYONE: (
        "{report} is TLP CLEAR: it may be passed to anyone.",
        "{report} est en TLP CLEAR{nb}: il peut être transmis à tous.",
    ),
    _T.GREEN_COMMUNITY: (
        "TLP GREEN: {target} is an approved partner of {area}, so any holder may pass it on"
        " without asking.",
        "TLP GREEN{nb}: {target} est un partenaire approuvé de {area}, donc toute organisation"
        " qui le détient peut le lui transmettre sans rien demander.",
    ),
    _T.GREEN_OUTSIDE_AREA: (
        "TLP GREEN travels freely only among the approved partners of {area}, and {target}"
        " is not one of them.",
        "Le TLP GREEN ne circule librement qu’entre les partenaires approuvés de {area}, et"
        " {target} n’en fait pas partie.",
    ),
    _T.CONSENT_GIVEN: (
        "The originator consented to {target} receiving {report}.",
        "L’organisation d’origine a consenti à ce que {target} reçoive {report}.",
    ),
    _T.STANDING_CONSENT: (
        "A standing consent of the originator covers passing {report} to {target}.",
        "Un consentement permanent de l’organisation d’origine couvre la transmission de"
        " {report} à {target}.",
    ),
    _T.REVOKED_BY_ORIGINATOR: (
        "The originator revoked {target}’s access to {report}: only the originator can give"
        " it back.",
        "L’organisation d’origine a retiré à {target} l’accès à {report}{nb}: elle seule peut"
        " le lui rendre.",
    ),
    _T.CONSENT_REQUIRED: (
        "Organisation {holder} cannot pass {report} to {target}: TLP {tlp} needs the"
        " originator’s consent, and it has not been given.",
        "L’organisation {holder} ne peut pas transmettre {report} à {target}{nb}: le TLP {tlp}"
        " exige le consentement de l’organisation d’origine, qui n’a pas été donné.",
    ),
    _T.ALERT_IMMEDIATE: (
        "Liaison {liaison} is alerted at once.",
        "L’agent de liaison {liaison} est alerté immédiatement.",
    ),
    _T.ALERT_DIGEST: (
        "Liaison {liaison} receives it in the next digest ({level}).",
        "L’agent de liaison {liaison} le reçoit dans le prochain résumé groupé ({level}).",
    ),
    _T.ALERT_DEFERRED: (
        "Liaison {liaison} is in quiet hours: the alert waits until {until}.",
        "L’agent de liaison {liaison} est en heures de silence{nb}: l’alerte attend jusqu’au"
        " {until}.",
    ),
    _T.QUIET_HOURS_OVERRIDDEN: (
        "Liaison {liaison} is in quiet hours, but {severity} severity goes through at once.",
        "L’agent de liaison {liaison} est en heures de silence, mais une gravité {severity}"
        " passe immédiatement.",
    ),
    _T.ACK_REQUIRED: (
        "Liaison {liaison} must acknowledge it by {deadline}.",
        "L’agent de liaison {liaison} doit en accuser réception avant le {deadline}.",
    ),
    _T.ESCALATION_DEPUTY: (
        "Without acknowledgement, step {step} alerts deputy {deputy} at {at}.",
        "Sans accusé de réception, l’étape {step} alerte le suppléant {deputy} le {at}.",
    ),
    _T.ESCALATION_FOCAL_POINTS: (
        "Without acknowledgement, step {step} alerts the organisation’s focal points at {at}.",
        "Sans accusé de réception, l’étape {step} alerte les points focaux de l’organisation"
        " le {at}.",
    ),
    _T.NO_DEPUTY: (
        "Step {step} is skipped: liaison {liaison} has no further deputy.",
        "L’étape {step} est sautée{nb}: l’agent de liaison {liaison} n’a pas d’autre suppléant.",
    ),
    _T.DESIGNATION_NOT_RECIPIENT: (
        "Liaison {liaison} is not alerted: {org} does not receive the report.",
        "L’agent de liaison {liaison} n’est pas alerté{nb}: {org} ne reçoit pas le rapport.",
    ),
    _T.DESIGNATION_OTHER_AREA: (
        "Liaison {liaison} is not designated for {area}.",
        "L’agent de liaison {liaison} n’est pas désigné pour {area}.",
    ),
    _T.DESIGNATION_BELOW_SEVERITY: (
        "Liaison {liaison} asked only for severity {min_severity} and above; this one is"
        " {severity}.",
        "L’agent de liaison {liaison} n’a demandé que les gravités {min_severity} et plus{nb};"
        " celle-ci est {severity}.",
    ),
    _T.DESIGNATION_OTHER_TYPE: (
        "Liaison {liaison} did not ask for alerts about “{type}”.",
        "L’agent de liaison {liaison} n’a pas demandé les alertes de type «{nb}{type}{nb}».",
    ),
    _T.DESIGNATION_NO_CHANNEL: (
        "Liaison {liaison} has no channel to be reached by.",
        "L’agent de liaison {liaison} n’a aucun canal pour être joint.",
    ),
    _T.TAKES_EFFECT_AT_ONCE: (
        "Going from {from_level} to {to_level} takes effect at once.",
        "Le passage de la {from_level} à la {to_level} prend effet immédiatement.",
    ),
    _T.AWAITING_CONFIRMATION: (
        "Going from {from_level} to {to_level} needs {need} coordinators to agree; {have} so"
        " far. Another coordinator must confirm.",
        "Le passage de la {from_level} à la {to_level} exige l’accord de {need} coordinateurs"
        "{nb}; {have} pour l’instant. Un autre coordinateur doit confirmer.",
    ),
    _T.SAME_COORDINATOR: (
        "Coordinator {coordinator} proposed the change and cannot also confirm it.",
        "Le coordinateur {coordinator} a proposé le changement et ne peut pas aussi le confirmer.",
    ),
    _T.CONFIRMED: (
        "{have} coordinators agreed ({need} needed): going from {from_level} to {to_level}"
        " takes effect.",
        "{have} coordinateurs sont d’accord ({need} requis){nb}: le passage de la {from_level}"
        " à la {to_level} prend effet.",
    ),
    _T.RAISE_WITHIN_LIMIT: (
        "The temporary raise lasts {duration}, within the limit of {max}.",
        "Le relèvement temporaire dure {duration}, dans la limite de {max}.",
    ),
    _T.RAISE_TOO_LONG: (
        "A temporary raise may last at most {max}; this one lasts {duration}.",
        "Un relèvement temporaire peut durer au plus {max}{nb}; celui-ci dure {duration}.",
    ),
    _T.RAISE_ENDS_BEFORE_START: (
        "The raise would end ({until}) before it starts ({since}).",
        "Le relèvement se terminerait ({until}) avant de commencer ({since}).",
    ),
    _T.RAISE_EXPIRES: (
        "The temporary raise on {area} ends on {at}: its risk goes from {from_risk} to {to_risk}.",
        "Le relèvement temporaire sur {area} prend fin le {at}{nb}: son risque passe de"
        " {from_risk} à {to_risk}.",
    ),
}

_ENUM_PARAMS: Mapping[str, type[StrEnum]] = {
    "risk": Risk,
    "from_risk": Risk,
    "to_risk": Risk,
    "level": Level,
    "from_level": Level,
    "to_level": Level,
    "severity": Severity,
    "min_severity": Severity,
    "status": OrganisationStatus,
    "type": ReportType,
    "scope": AudienceScope,
    "target_kind": EscalationTarget,
}
_NAMED_PARAMS = frozenset(
    {
        "org",
        "holder",
        "target",
        "liaison",
        "deputy",
        "coordinator",
        "report",
        "area",
        "source",
        "to_area",
    }
)
_TIME_PARAMS = frozenset({"since", "until", "at", "deadline", "expired_at"})
_DURATION_PARAMS = frozenset({"duration", "max"})

_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _time(text: str, lang: Lang) -> str:
    t = datetime.fromisoformat(text).astimezone(UTC)
    if lang == "fr":
        return f"{t:%d/%m/%Y} à {t:%H:%M} UTC"
    return f"{t.day} {_MONTHS_EN[t.month - 1]} {t.year} {t:%H:%M} UTC"


def _duration(text: str, lang: Lang) -> str:
    d = timedelta(seconds=int(text))
    days, rest = d.days, d.seconds
    hours, minutes = rest // 3600, (rest % 3600) // 60
    parts = []
    if days:
        parts.append(f"{days} {'jour' if lang == 'fr' else 'day'}{'s' if days > 1 else ''}")
    if hours:
        parts.append(f"{hours}{_NB}h")
    if minutes:
        parts.append(f"{minutes}{_NB}min")
    return " ".join(parts) or f"0{_NB}min"


def _render_param(key: str, value: str, lang: Lang, names: Mapping[str, str]) -> str:
    enum = _ENUM_PARAMS.get(key)
    if key == "tlp":
        return value.upper()
    if enum is not None:
        return label(enum(value), lang)
    if key in _NAMED_PARAMS:
        return names.get(value, value)
    if key in _TIME_PARAMS:
        return _time(value, lang)
    if key in _DURATION_PARAMS:
        return _duration(value, lang)
    return value


def render_reason(reason: Reason, lang: Lang = "fr", names: Mapping[str, str] | None = None) -> str:
    en, fr = TEMPLATES[reason.code]
    template = fr if lang == "fr" else en
    values = {k: _render_param(k, v, lang, names or {}) for k, v in reason.params}
    return template.format(nb=_NB, **values)


def explain_lines(
    decision: Decision[Any], lang: Lang = "fr", names: Mapping[str, str] | None = None
) -> tuple[str, ...]:
    """One sentence per reason, for pages that list them."""
    return tuple(render_reason(r, lang, names) for r in decision.reasons)


def explain(
    decision: Decision[Any], lang: Lang = "fr", names: Mapping[str, str] | None = None
) -> str:
    """The reasons of a decision as a short paragraph a person can read.

    `names` maps organisation, report, area and liaison ids to what a person calls them."""
    return " ".join(explain_lines(decision, lang, names))
