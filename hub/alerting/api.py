"""The JSON routes of liaison designations, test alerts, deliveries and SMS status callbacks."""

from __future__ import annotations

import hmac
from typing import Annotated
from urllib.parse import unquote, urlsplit

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from alerts.channels.sms import verify_twilio_signature
from hub.alerting import service
from hub.alerting.schemas import (
    AckRead,
    CodeIn,
    DeliveryRead,
    LiaisonRead,
    LiaisonSet,
    TestAlertRead,
)
from hub.alerting.wiring import alert_secret
from hub.config import Settings
from hub.db import utcnow
from hub.deps import ActorDep, PolicyDep, SessionDep, SettingsDep
from hub.errors import Forbidden, NotFound
from hub.i18n import gettext as _
from hub.openapi import server_checks
from hub.reports import sms as flash_sms

router = APIRouter(tags=["alerts"])

_PROBLEMS: dict[int | str, dict[str, object]] = {
    401: {"description": "Not logged in"},
    403: {"description": "Not a liaison or focal point, or not yours to see"},
    404: {"description": "Nothing there"},
    422: {"description": "Invalid designation"},
}


@router.get("/liaison", response_model=LiaisonRead, responses=_PROBLEMS)
def get_liaison(session: SessionDep, actor: ActorDep) -> LiaisonRead:
    """My designation: areas, severity, channels and whether each address is confirmed."""
    return service.get_designation(session, actor=actor)


@router.put(
    "/liaison",
    response_model=LiaisonRead,
    responses=_PROBLEMS,
    openapi_extra=server_checks(
        areas="an area the hub knows (GET /areas)",
        channels="an email address and/or a phone number in international form",
        sms="a phone number in international form (+243…)",
        email="an email address",
        timezone="an IANA time zone (Africa/Lubumbashi)",
        quiet_hours="HH:MM to HH:MM in a known time zone",
        deputies="members of your organisation, by email",
        smime_certificate="a PEM X.509 certificate for email protection",
        anti_phishing_phrase="a phrase that fits an SMS",
        report_types="types that exist",
    ),
)
def put_liaison(session: SessionDep, actor: ActorDep, body: LiaisonSet) -> LiaisonRead:
    """Create or replace my designation. A new email address is confirmed by a link sent to
    it, a phone number by a code (POST /liaison/confirm-sms); alerts use confirmed ones."""
    return service.set_designation(session, actor=actor, data=body, now=utcnow())


@router.delete("/liaison", status_code=204, responses=_PROBLEMS)
def delete_liaison(session: SessionDep, actor: ActorDep) -> Response:
    """Stop receiving alerts."""
    service.remove_designation(session, actor=actor)
    return Response(status_code=204)


@router.post(
    "/liaison/confirm-sms",
    response_model=LiaisonRead,
    responses=_PROBLEMS,
    openapi_extra=server_checks(code="the code the SMS gave, before it expires"),
)
def confirm_sms(session: SessionDep, actor: ActorDep, body: CodeIn) -> LiaisonRead:
    return service.confirm_phone(session, actor=actor, code=body.code, now=utcnow())


@router.post("/liaison/test", status_code=202, response_model=TestAlertRead, responses=_PROBLEMS)
def test_alert(session: SessionDep, actor: ActorDep) -> TestAlertRead:
    """Send me a test alert on each channel of my designation (at most one a minute); the
    dispatcher sends it on its next pass and my delivery log shows the outcome."""
    return TestAlertRead(event_id=service.send_test_alert(session, actor=actor, now=utcnow()))


@router.get("/alerts/deliveries", response_model=list[DeliveryRead], responses=_PROBLEMS)
def list_deliveries(
    session: SessionDep,
    actor: ActorDep,
    liaison: Annotated[str | None, Query(description="a liaison's email")] = None,
    event: Annotated[str | None, Query(description="an alert (event) id")] = None,
) -> list[DeliveryRead]:
    """The delivery log: every attempt's state, per liaison or per alert."""
    return service.deliveries(session, actor=actor, liaison_email=liaison, event_id=event)


@router.get("/alerts/{event_id}/deliveries", response_model=list[DeliveryRead], responses=_PROBLEMS)
def alert_deliveries(session: SessionDep, actor: ActorDep, event_id: str) -> list[DeliveryRead]:
    return service.deliveries(session, actor=actor, event_id=event_id)


@router.post("/alerts/{token}/ack", response_model=AckRead, responses=_PROBLEMS)
def acknowledge(session: SessionDep, token: str) -> AckRead:
    """Acknowledge with the token from the alert's link (the page at /a/{token} posts the
    same). The token is the credential: it was sent only to the liaison."""
    done = service.acknowledge_link(session, token=token, now=utcnow())
    if done is None:
        raise NotFound(_("There is nothing to acknowledge with this link (already done?)."))
    return done


def _gateway_secret(url: str | None) -> tuple[str, str] | None:
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme.startswith("twilio+") and parts.password:
        return "twilio", unquote(parts.password)
    if parts.scheme.startswith("webhook+") and parts.username:
        return "webhook", unquote(parts.username)
    return None


async def _from_gateway(request: Request, settings: Settings) -> dict[str, str]:
    """The callback's form fields, once it is authenticated as the gateway: Twilio's
    signature, or the webhook gateway's bearer token (compared in constant time)."""
    gateway = _gateway_secret(settings.sms_gateway)
    if gateway is None:
        raise NotFound(_("No SMS gateway is configured."))
    form = {k: str(v) for k, v in (await request.form()).items()}
    kind, secret = gateway
    if kind == "twilio":
        url = settings.base_url.rstrip("/") + request.url.path
        if not verify_twilio_signature(
            secret, url, form, request.headers.get("X-Twilio-Signature")
        ):
            raise Forbidden(_("This request is not signed by the SMS gateway."))
    elif not hmac.compare_digest(
        request.headers.get("Authorization", "").encode(), f"Bearer {secret}".encode()
    ):
        raise Forbidden(_("This request is not signed by the SMS gateway."))
    return form


@router.post("/alerts/sms/status", include_in_schema=False)
async def sms_status(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    """The gateway's delivery status for an SMS (idempotent: callbacks repeat)."""
    form = await _from_gateway(request, settings)
    service.sms_status(session, params=form, now=utcnow())
    return Response(status_code=204)


@router.post("/alerts/sms/inbound", include_in_schema=False)
async def inbound_sms(
    request: Request, session: SessionDep, settings: SettingsDep, policy: PolicyDep
) -> Response:
    """A liaison's SMS reply (Twilio's form fields From and Body) carrying the alert's code,
    or a flash report from a registered phone (`FLASH …`, hub/reports/sms.py)."""
    form = await _from_gateway(request, settings)
    if flash_sms.parse_keyword(form.get("Body", "")):
        answer = flash_sms.receive(
            session,
            phone=form.get("From", ""),
            body=form.get("Body", ""),
            message_id=form.get("MessageSid") or form.get("id") or form.get("Body", ""),
            policy=policy,
            data_dir=settings.data_dir,
            now=utcnow(),
        )
        if answer is not None:
            flash_sms.send_reply(settings.sms_gateway, answer)
        return Response(
            '<?xml version="1.0" encoding="UTF-8"?><Response/>',
            media_type="application/xml",
        )
    done = service.acknowledge_sms(
        session,
        phone=form.get("From", ""),
        body=form.get("Body", ""),
        secret=alert_secret(settings),
        now=utcnow(),
    )
    # An empty TwiML answer: no reply SMS (it would cost the liaison and reveal nothing new).
    return Response(
        '<?xml version="1.0" encoding="UTF-8"?><Response/>',
        media_type="application/xml",
        headers={"X-Acknowledged": "yes" if done else "no"},
    )
