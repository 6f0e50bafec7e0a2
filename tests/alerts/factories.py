"""Alert facts for tests: ordinary ones, and ones at every length limit ("long but valid")."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta

from alerts.facts import (
    MAX_AREA_CODE_CHARS,
    MAX_AREA_NAME_CHARS,
    MAX_PHRASE_CHARS,
    MAX_SMS_LINK_CHARS,
    MAX_SUMMARY_CHARS,
    AckFacts,
    AckRequest,
    AlertFacts,
    AlertKind,
    BriefingFacts,
    EscalationFacts,
    FailureFacts,
    InvitationFacts,
    LevelChangeFacts,
    MsgType,
    PeriodicFacts,
    Recipient,
    ReportFacts,
    ShareFacts,
)
from alerts.labels import SHARE_OUTCOMES, Language

NOW = datetime(2026, 11, 23, 5, 40, tzinfo=UTC)
SUMMARY_FR = "Vol à main armée sur la route Goma–Rutshuru, pas de blessé"
LINK = "https://hub.example.org/a/Xb4k9Qm2"


def report(**overrides: object) -> ReportFacts:
    fields: dict[str, object] = {
        "report_id": "rep-0001",
        "report_type": "incident",
        "stage": "flash",
        "area_code": "CD6102",
        "area_name": "Nyiragongo",
        "category": "armed_robbery",
        "severity": "severe",
        "tlp": "amber+strict",
        "occurred_on": date(2026, 11, 23),
        "reported_at": NOW,
        "summary": SUMMARY_FR,
    }
    fields.update(overrides)
    return ReportFacts(**fields)  # type: ignore[arg-type]


def recipient(language: Language = "fr", **overrides: object) -> Recipient:
    fields: dict[str, object] = {
        "name": "Awa Mukendi",
        "language": language,
        "anti_phishing_phrase": "girafe bleue",
        "timezone": "Africa/Lubumbashi",
    }
    fields.update(overrides)
    return Recipient(**fields)  # type: ignore[arg-type]


def ack() -> AckRequest:
    return AckRequest(
        code="482913",
        link="https://hub.example.org/ack/T0k3n",
        deadline=NOW + timedelta(minutes=15),
    )


def published(**overrides: object) -> AlertFacts:
    fields: dict[str, object] = {
        "kind": AlertKind.REPORT_PUBLISHED,
        "event_id": "evt-0001",
        "link": LINK,
        "report": report(),
    }
    fields.update(overrides)
    return AlertFacts(**fields)  # type: ignore[arg-type]


def level_change(**overrides: object) -> LevelChangeFacts:
    fields: dict[str, object] = {
        "area_code": "CD61",
        "area_name": "Nord-Kivu",
        "old_risk": "medium",
        "new_risk": "high",
        "old_level": "normal",
        "new_level": "enhanced",
        "effective_at": NOW,
    }
    fields.update(overrides)
    return LevelChangeFacts(**fields)  # type: ignore[arg-type]


# -- the longest inputs the limits allow, with the costliest labels ---------------------------

# Worst case for UCS-2: every character costs a unit, accents everywhere, no spaces to cut at
# near the end.
LONG_SUMMARY = ("Évènement grave près du marché, à éviter " * 10)[:MAX_SUMMARY_CHARS]
LONG_PHRASE = ("çà et là, êtres" * 3)[:MAX_PHRASE_CHARS]
LONG_AREA_CODE = "CD610299ABCD"[:MAX_AREA_CODE_CHARS]
LONG_AREA_NAME = ("Territoire de Nyiragongo-Rutshuru " * 4)[:MAX_AREA_NAME_CHARS]
LONG_LINK = ("https://alertes.hub-slt.example.org/a/" + "X" * 40)[:MAX_SMS_LINK_CHARS]
LONG_CODE = "48291375"


def long_report(**overrides: object) -> ReportFacts:
    fields: dict[str, object] = {
        "report_type": "operational_plan",
        "stage": "update",
        "area_code": LONG_AREA_CODE,
        "area_name": LONG_AREA_NAME,
        "category": "threat_intimidation_harassment",
        "severity": "extreme",
        "tlp": "amber+strict",
        "summary": LONG_SUMMARY,
    }
    fields.update(overrides)
    return report(**fields)


def long_recipient(language: Language) -> Recipient:
    return recipient(
        language, name="Marie-Élisabeth Ngoy-Kabamba wa Tshibangu", anti_phishing_phrase=LONG_PHRASE
    )


def long_ack() -> AckRequest:
    return AckRequest(code=LONG_CODE, link=LONG_LINK, deadline=NOW + timedelta(minutes=15))


def longest(kind: AlertKind) -> list[AlertFacts]:
    """Every variant of `kind` at its longest (with and without acknowledgement, update…)."""
    base: dict[str, object] = {"kind": kind, "event_id": "evt-" + "9" * 30, "link": LONG_LINK}
    rep = long_report()
    if kind is AlertKind.REPORT_PUBLISHED:
        return [
            AlertFacts(**base, report=rep, msg_type=msg, ack=ack_)  # type: ignore[arg-type]
            for msg in MsgType
            for ack_ in (None, long_ack())
        ]
    if kind is AlertKind.ESCALATION:
        esc = EscalationFacts(
            step=2,
            not_acknowledged_by="Jean-Baptiste Mulumba Kalala",
            organisation="Organisation humanitaire internationale",
            waited_minutes=15,
        )
        return [
            AlertFacts(**base, report=rep, escalation=esc, ack=ack_)  # type: ignore[arg-type]
            for ack_ in (None, long_ack())
        ]
    if kind is AlertKind.LEVEL_CHANGED:
        change = level_change(
            area_code=LONG_AREA_CODE,
            area_name=LONG_AREA_NAME,
            old_risk="very_high",
            new_risk="unacceptable",
            old_level="enhanced",
            new_level="enhanced",
            no_go=True,
        )
        lowered = level_change(
            area_code=LONG_AREA_CODE,
            area_name=LONG_AREA_NAME,
            old_risk="unacceptable",
            new_risk="very_low",
            old_level="enhanced",
            new_level="normal",
        )
        return [AlertFacts(**base, level_change=c) for c in (change, lowered)]  # type: ignore[arg-type]
    if kind is AlertKind.DIGEST:
        items = tuple(long_report(report_id=f"r{i}", severity="minor") for i in range(120))
        return [
            AlertFacts(**base, digest_items=items, digest_period=(NOW - timedelta(days=7), NOW))
        ]  # type: ignore[arg-type]
    if kind is AlertKind.ACK_CONFIRMATION:
        acked = AckFacts(
            acknowledged_by="Marie-Élisabeth Ngoy-Kabamba wa Tshibangu", acknowledged_at=NOW
        )
        return [AlertFacts(**base, report=rep, acknowledged=acked)]  # type: ignore[arg-type]
    if kind in (AlertKind.SHARE_REQUESTED, AlertKind.SHARE_ANSWERED):
        # Organisation names at their longest (60), every outcome the kind can carry.
        outcomes = ("pending",) if kind is AlertKind.SHARE_REQUESTED else tuple(SHARE_OUTCOMES)
        return [
            AlertFacts(  # type: ignore[arg-type]
                **base,
                report=rep,
                share=ShareFacts(
                    requester="Organisation internationale pour les migrations — Nord-Kivu"[:60],
                    target="Programme alimentaire mondial — bureau de Goma, sous-bureau Beni"[:60],
                    outcome=outcome,
                ),
            )
            for outcome in outcomes
        ]
    if kind in (
        AlertKind.BRIEFING_INVITATION,
        AlertKind.BRIEFING_REMINDER,
        AlertKind.BRIEFING_SERIES,
    ):
        # Every variant: new, moved, cancelled, and the two series notices.
        briefing = BriefingFacts(
            area_code=LONG_AREA_CODE,
            area_name=LONG_AREA_NAME,
            starts_at=NOW,
            timezone="America/Argentina/ComodRivadavia",
            duration_minutes=480,
            place="Salle de réunion du bureau conjoint, avenue de la Paix " * 30,
            agenda="Point sécurité de la semaine ; axes routiers ; mouvements prévus " * 60,
            organiser="marie-elisabeth.ngoy-kabamba@organisation-humanitaire.example.org",
        )
        variants = [
            briefing,
            dataclasses.replace(briefing, moved=True),
            dataclasses.replace(briefing, cancelled=True, moved=True),
        ]
        if kind is AlertKind.BRIEFING_SERIES:
            variants = [
                dataclasses.replace(briefing, series_status=status, every="fortnightly")
                for status in ("proposed", "ended")
            ]
        return [AlertFacts(**base, briefing=b) for b in variants]  # type: ignore[arg-type]
    if kind is AlertKind.INVITATION:
        invitation = InvitationFacts(
            organisation="Organisation internationale pour les migrations — Nord-Kivu " * 3,
            invited_by="Marie-Élisabeth Ngoy-Kabamba wa Tshibangu",
            expires_at=NOW,
        )
        return [AlertFacts(**base, invitation=invitation)]  # type: ignore[arg-type]
    if kind is AlertKind.WEEKLY_REPORT:
        many = tuple((c, 99_999) for c in ("threat_intimidation_harassment", "shooting", "other"))
        weekly = [
            PeriodicFacts(
                area_code=LONG_AREA_CODE,
                area_name=LONG_AREA_NAME,
                start=NOW.date() - timedelta(days=7),
                end=NOW.date() - timedelta(days=1),
                total=total,
                previous_total=previous,
                risk="unacceptable",
                level="enhanced",
                categories=many if total else (),
            )
            for total, previous in ((999_999, 999_998), (0, 0), (3, 0), (1, 4))
        ]
        return [AlertFacts(**base, periodic=p) for p in weekly]  # type: ignore[arg-type]
    failure = FailureFacts(
        liaison_name="Marie-Élisabeth Ngoy-Kabamba wa Tshibangu",
        channel="email",
        address_hint="m…@organisation-humanitaire.example.org",
        attempts=12,
        reason="RCPT: 550 5.1.1 mailbox unavailable",
        fallback_channel="sms",
    )
    return [AlertFacts(**base, failure=failure)]  # type: ignore[arg-type]
