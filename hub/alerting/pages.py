"""The acknowledgement page and the address-confirmation page.

A GET only shows what would happen; the POST from the page does it. Mail security gateways
and chat previews follow every link in a message, and must not acknowledge an alert (which
would silence its escalation) or confirm an address on a liaison's behalf. No CSRF token:
the unguessable token in the URL is the credential, and a site that knows it could POST it
directly anyway.
"""

from __future__ import annotations

from html import escape

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from alerts.outbox import facts_from_json
from hub.alerting import service
from hub.db import utcnow
from hub.deps import SessionDep
from hub.errors import HubError

router = APIRouter(include_in_schema=False)

_PAGE = """<!doctype html>
<html lang="fr"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer"><meta name="robots" content="noindex">
<title>SLT Hub</title></head><body>
{body}
</body></html>"""


def _page(body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(_PAGE.format(body=body), status_code=status)


@router.get("/a/{token}")
def ack_page(session: SessionDep, token: str) -> HTMLResponse:
    pending = service.ack_preview(session, token=token)
    if pending is None:
        return _page(
            "<p>Rien à confirmer : alerte déjà confirmée ou lien inconnu.</p>"
            "<p lang='en'>Nothing to acknowledge: already acknowledged or unknown link.</p>",
            404,
        )
    facts = facts_from_json(pending.event.facts) if pending.event.kind != "digest" else None
    what = escape(
        f"{getattr(facts, 'area_code', pending.event.area_code)} — "
        f"{getattr(facts, 'severity', '') or ''} {getattr(facts, 'summary', '') or ''}"
    )
    return _page(
        f"<h1>Confirmer la réception de l'alerte / Acknowledge the alert</h1><p>{what}</p>"
        f"<form method='post' action='/a/{escape(token)}'>"
        "<button type='submit'>J'ai bien reçu / I acknowledge</button></form>"
    )


@router.post("/a/{token}")
def ack_submit(session: SessionDep, token: str) -> HTMLResponse:
    done = service.acknowledge_link(session, token=token, now=utcnow())
    if done is None:
        return _page("<p>Rien à confirmer. / Nothing to acknowledge.</p>", 404)
    return _page(
        "<p>Réception confirmée : l'escalade est arrêtée.</p>"
        "<p lang='en'>Acknowledged: escalation stopped.</p>"
    )


@router.get("/liaison/confirm/{token}")
def confirm_page(token: str) -> HTMLResponse:
    return _page(
        "<h1>Confirmer cette adresse / Confirm this address</h1>"
        f"<form method='post' action='/liaison/confirm/{escape(token)}'>"
        "<button type='submit'>Confirmer / Confirm</button></form>"
    )


@router.post("/liaison/confirm/{token}")
def confirm_submit(session: SessionDep, token: str) -> HTMLResponse:
    try:
        address = service.confirm_email(session, token=token, now=utcnow())
    except HubError:
        return _page("<p>Lien inconnu ou expiré. / Unknown or expired link.</p>", 404)
    return _page(f"<p>Adresse confirmée / Address confirmed: {escape(address)}</p>")
