"""CAP 1.2 output validated against the OASIS schema vendored in alerts/schemas."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from lxml import etree

from alerts.cap import (
    ATOM_NS,
    CAP_NS,
    SCHEMA_PATH,
    CapAlert,
    CapInvalid,
    CapReference,
    CapStatus,
    alert_xml,
    build_alert,
    feed_xml,
    schema,
    validate,
)
from alerts.facts import MsgType
from tests.alerts import factories as f

NS = {"cap": CAP_NS, "atom": ATOM_NS}
SENDER = "cap@hub.example.org"
SENT = datetime(2026, 11, 23, 7, 5, 9, tzinfo=UTC)


def level_alert(**overrides: object) -> CapAlert:
    fields: dict[str, object] = {
        "identifier": "slthub-level-CD61-3",
        "sender": SENDER,
        "sent": SENT,
        "link": "https://hub.example.org/areas/CD61",
        "level_change": f.level_change(),
    }
    fields.update(overrides)
    return CapAlert(**fields)  # type: ignore[arg-type]


def parsed(alert: CapAlert) -> etree._Element:
    return etree.fromstring(alert_xml(alert))


def test_the_vendored_schema_is_the_oasis_cap_1_2_schema() -> None:
    text = SCHEMA_PATH.read_text()
    assert "Copyright OASIS Open 2010 All Rights Reserved" in text
    root = etree.parse(str(SCHEMA_PATH)).getroot()
    assert root.get("targetNamespace") == "urn:oasis:names:tc:emergency:cap:1.2"
    assert root.get("version") == "1.2"
    xs = {"xs": "http://www.w3.org/2001/XMLSchema"}
    categories = root.xpath("//xs:element[@name='category']//xs:enumeration/@value", namespaces=xs)
    assert categories == [
        "Geo",
        "Met",
        "Safety",
        "Security",
        "Rescue",
        "Fire",
        "Health",
        "Env",
        "Transport",
        "Infra",
        "CBRNE",
        "Other",
    ]


def test_the_schema_really_rejects_invalid_alerts() -> None:
    root = build_alert(level_alert())
    root.find("cap:status", NS).text = "Bogus"  # type: ignore[union-attr]
    with pytest.raises(CapInvalid, match="status"):
        validate(root)
    root = build_alert(level_alert())
    root.find("cap:sent", NS).text = "2026-11-23T07:05:09Z"  # type: ignore[union-attr]
    assert not schema().validate(root)  # CAP forbids "Z"; our builder never writes it


def test_level_change_alert() -> None:
    root = parsed(level_alert())
    assert schema().validate(root)
    assert root.findtext("cap:identifier", namespaces=NS) == "slthub-level-CD61-3"
    assert root.findtext("cap:sent", namespaces=NS) == "2026-11-23T07:05:09+00:00"
    assert root.findtext("cap:status", namespaces=NS) == "Actual"
    assert root.findtext("cap:msgType", namespaces=NS) == "Alert"
    assert root.findtext("cap:scope", namespaces=NS) == "Public"
    infos = root.findall("cap:info", NS)
    assert [i.findtext("cap:language", namespaces=NS) for i in infos] == ["fr-FR", "en-US"]
    fr, en = infos
    assert fr.findtext("cap:category", namespaces=NS) == "Security"
    assert fr.findtext("cap:event", namespaces=NS) == "Changement du niveau de risque SLT"
    assert en.findtext("cap:event", namespaces=NS) == "SLT risk level change"
    assert (
        fr.findtext("cap:headline", namespaces=NS)
        == "Nord-Kivu: risque élevé, coopération renforcée"
    )
    assert (
        fr.findtext("cap:urgency", namespaces=NS),
        fr.findtext("cap:severity", namespaces=NS),
    ) == ("Immediate", "Severe")
    assert fr.findtext("cap:certainty", namespaces=NS) == "Likely"
    assert fr.findtext("cap:area/cap:areaDesc", namespaces=NS) == "Nord-Kivu"
    assert fr.findtext("cap:area/cap:geocode/cap:valueName", namespaces=NS) == "P-code"
    assert fr.findtext("cap:area/cap:geocode/cap:value", namespaces=NS) == "CD61"
    params = {
        p.findtext("cap:valueName", namespaces=NS): p.findtext("cap:value", namespaces=NS)
        for p in fr.findall("cap:parameter", NS)
    }
    assert params == {"TLP": "CLEAR", "SLT_cooperation_level": "enhanced", "SLT_risk": "high"}


def test_a_lowered_level_is_past_and_all_clear() -> None:
    change = f.level_change(
        old_risk="high", new_risk="low", old_level="enhanced", new_level="normal"
    )
    info = parsed(level_alert(level_change=change)).find("cap:info", NS)
    assert info is not None
    assert info.findtext("cap:urgency", namespaces=NS) == "Past"
    assert info.findtext("cap:responseType", namespaces=NS) == "AllClear"
    assert info.findtext("cap:severity", namespaces=NS) == "Minor"


def test_no_go_area_says_avoid() -> None:
    change = f.level_change(new_risk="unacceptable", no_go=True)
    info = parsed(level_alert(level_change=change)).find("cap:info", NS)
    assert info is not None
    assert info.findtext("cap:responseType", namespaces=NS) == "Avoid"
    assert info.findtext("cap:severity", namespaces=NS) == "Extreme"


def test_exercise_update_and_cancel_reference_what_they_supersede() -> None:
    original = level_alert()
    ref = CapReference(original.sender, original.identifier, original.sent)
    for msg_type, expected in ((MsgType.UPDATE, "Update"), (MsgType.CANCEL, "Cancel")):
        later = level_alert(
            identifier=f"slthub-level-CD61-3-{msg_type}",
            sent=SENT + timedelta(hours=1),
            msg_type=msg_type,
            references=(ref,),
            status=CapStatus.EXERCISE,
        )
        root = parsed(later)
        assert root.findtext("cap:msgType", namespaces=NS) == expected
        assert root.findtext("cap:status", namespaces=NS) == "Exercise"
        assert (
            root.findtext("cap:references", namespaces=NS)
            == f"{SENDER},slthub-level-CD61-3,2026-11-23T07:05:09+00:00"
        )
    with pytest.raises(ValueError, match="references"):
        level_alert(msg_type=MsgType.UPDATE)


@pytest.mark.parametrize(
    ("severity", "urgency", "cap_severity"),
    [
        ("extreme", "Immediate", "Extreme"),
        ("severe", "Immediate", "Severe"),
        ("moderate", "Expected", "Moderate"),
        ("minor", "Future", "Minor"),
    ],
)
def test_clear_report_alert_maps_severity(severity: str, urgency: str, cap_severity: str) -> None:
    alert = CapAlert(
        identifier="slthub-report-rep-0001",
        sender=SENDER,
        sent=SENT,
        link="https://hub.example.org/r/rep-0001",
        report=f.report(tlp="clear", severity=severity),
    )
    root = parsed(alert)
    fr, en = root.findall("cap:info", NS)
    assert fr.findtext("cap:event", namespaces=NS) == "Vol à main armée"
    assert en.findtext("cap:event", namespaces=NS) == "Armed robbery"
    assert fr.findtext("cap:urgency", namespaces=NS) == urgency
    assert fr.findtext("cap:severity", namespaces=NS) == cap_severity
    assert fr.findtext("cap:certainty", namespaces=NS) == "Observed"
    assert fr.findtext("cap:description", namespaces=NS) == f.SUMMARY_FR
    assert fr.findtext("cap:area/cap:geocode/cap:value", namespaces=NS) == "CD6102"


@pytest.mark.parametrize("tlp", ["red", "amber+strict", "amber", "green"])
def test_only_tlp_clear_reports_may_enter_the_public_feed(tlp: str) -> None:
    with pytest.raises(ValueError, match="TLP:CLEAR"):
        CapAlert(
            identifier="x",
            sender=SENDER,
            sent=SENT,
            link="https://hub.example.org",
            report=f.report(tlp=tlp),
        )


@pytest.mark.parametrize("identifier", ["with space", "a,b", "a<b", "a&b"])
def test_cap_identifiers_are_checked(identifier: str) -> None:
    with pytest.raises(ValueError, match="identifier"):
        level_alert(identifier=identifier)


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone"):
        alert_xml(level_alert(sent=datetime(2026, 11, 23, 7, 0)))


def test_feed_carries_each_alert_inline_and_each_validates() -> None:
    alerts = [
        level_alert(),
        CapAlert(
            identifier="slthub-report-rep-0002",
            sender=SENDER,
            sent=SENT,
            link="https://hub.example.org/r/2",
            report=f.report(tlp="clear"),
        ),
    ]
    feed = etree.fromstring(
        feed_xml(
            alerts,
            feed_id="urn:slthub:cap",
            title="SLT Hub — alertes publiques",
            self_link="https://hub.example.org/api/v1/alerts/cap",
            updated=SENT,
        )
    )
    entries = feed.findall("atom:entry", NS)
    assert len(entries) == 2
    for entry in entries:
        content = entry.find("atom:content", NS)
        assert content is not None
        assert content.get("type") == "application/cap+xml"
        [cap_alert] = list(content)
        standalone = etree.fromstring(etree.tostring(cap_alert))
        assert schema().validate(standalone), schema().error_log
    assert (
        entries[0].findtext("atom:title", namespaces=NS)
        == "Nord-Kivu: risque élevé, coopération renforcée"
    )
