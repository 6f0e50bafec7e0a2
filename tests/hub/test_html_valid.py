"""Every page the hub renders is valid HTML5 by the Nu HTML Checker — in both languages, for
the people who see it (originator, recipient, someone logged out), including the pages that
answer an error and the forms shown again with their field errors.

Add a new page here: one list, one checker run."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from hub.members.models import Role
from tests.hub.areas.factories import add_boundaries
from tests.hub.factories import current_code, make_member, make_organisation
from tests.hub.html_check import assert_valid_html
from tests.hub.pages import Browser, csrf
from tests.hub.reports.factories import API, World, flash, publish
from tests.hub.reports.test_pages import _form


def test_every_page_is_valid_html(
    db_session: Session, client: TestClient, app: FastAPI, w: World, browser: Browser
) -> None:
    report = publish(client, w.a, flash(audience={"organisations": [w.b.id]}))["id"]
    situation = publish(
        client, w.a, {**flash(severity="moderate"), "type": "situation", "stage": None, "body": {}}
    )["id"]
    asked = client.post(
        f"{API}/reports/{report}/share-requests",
        json={"to_organisation": w.c.id, "reason": "same road"},
        headers=w.b.headers,
    )
    assert asked.status_code == 201, asked.text
    rule = client.post(
        f"{API}/standing-consents", json={"to_kind": "un", "max_tlp": "amber"}, headers=w.a.headers
    )
    assert rule.status_code == 201, rule.text

    # Boundaries: the overview and the area pages then carry the map (inline SVG).
    add_boundaries(db_session)
    pages: dict[str, str] = {}

    def take(
        name: str, client_: TestClient, path: str, headers: dict[str, str] | None = None
    ) -> None:
        # As a browser asks: an unknown address then answers the pages' 404, not JSON.
        response = client_.get(path, headers={"Accept": "text/html", **(headers or {})})
        assert response.headers["content-type"].startswith("text/html"), (name, response.text)
        pages[name] = response.text

    with TestClient(app) as anonymous:
        take("login", anonymous, "/login")
        take("login fr", anonymous, "/login", headers={"Accept-Language": "fr"})
        take("ack, unknown token", anonymous, "/a/not-a-token")
        take("liaison confirm, unknown token", anonymous, "/liaison/confirm/not-a-token")
        take("liaison confirm", anonymous, "/liaison/confirm/some-token")
        take("a form's address opened as a page", anonymous, "/logout")
        take("api docs", anonymous, "/docs")

    for lang in ("en", "fr"):
        a = browser(w.a.email, lang=lang)
        b = browser(w.b.email, lang=lang)
        for path in (
            "/",
            "/reports",
            "/reports?area=CD61&severity=severe",
            "/reports/new",
            "/reports/new?type=situation",
            "/reports/flash",
            "/reports/flash?q=zzz",
            f"/reports/new?type=incident&stage=update&incident_id={report}&supersedes={report}",
            f"/reports/{report}",
            f"/reports/{situation}",
            f"/reports/{report}/withdraw",
            "/share-requests",
            "/standing-consents",
            "/liaison",
            "/account/passphrase",
            "/account/totp",
            "/reports/not/a/page",
            "/areas",
            "/areas?q=kivu",
            "/areas?q=nothing-like-this",
            "/areas/CD61",
            "/areas/CD6102",
            "/areas/CD61/report",
            "/areas/CD61/report?from=2026-11-01&to=2026-11-30",
            "/areas/CD61/report/print",
            "/areas/CD61/report?from=31/02/2026",
            "/directory",
            "/directory?area=Nord-Kivu",
            "/directory?area=Atlantis",
            "/account/directory",
        ):
            take(f"originator {lang} {path}", a, path)
        take(f"recipient {lang} report", b, f"/reports/{report}")
        take(f"recipient {lang} share requests", b, "/share-requests")
        take(f"recipient {lang} unknown report", b, f"/reports/{situation}")

        refused = a.post("/reports/new", data=_form(a, severity="", lat="north", summary="x" * 141))
        assert refused.status_code == 422
        pages[f"report form with errors {lang}"] = refused.text
        flash_page = a.get("/reports/flash").text
        flash_refused = a.post(
            "/reports/flash",
            data={"csrf_token": csrf(flash_page), "occurred_at": "hier", "summary": "x" * 141},
        )
        assert flash_refused.status_code == 422
        pages[f"flash form with errors {lang}"] = flash_refused.text
        bad_rule = a.post(
            "/standing-consents",
            data={"csrf_token": csrf(a.get("/standing-consents").text), "expires_on": "31/02/2099"},
        )
        assert bad_rule.status_code == 422
        pages[f"standing consent form with errors {lang}"] = bad_rule.text
        bad_liaison = a.post(
            "/liaison",
            data={
                "csrf_token": csrf(a.get("/liaison").text),
                "areas": "Atlantis",
                "channels": ["email", "sms"],
                "quiet_start": "25:00",
            },
        )
        assert bad_liaison.status_code == 422
        pages[f"liaison form with errors {lang}"] = bad_liaison.text
        designated = client.put(
            f"{API}/liaison",
            json={
                "areas": ["CD61"],
                "anti_phishing_phrase": "okapi",
                "channels": {"sms": "+243810000099"},
            },
            headers=w.a.headers,
        )
        assert designated.status_code == 200, designated.text
        pages[f"liaison designated {lang}"] = a.get("/liaison").text
        bad_entry = a.post(
            "/account/directory",
            data={
                "csrf_token": csrf(a.get("/account/directory").text),
                "show": ["phone", "title", "email"],
                "phone": "0810",
                "email": "nobody",
            },
        )
        assert bad_entry.status_code == 422
        pages[f"directory entry with errors {lang}"] = bad_entry.text
        shown = client.put(
            f"{API}/me/directory",
            json={
                "show": ["name", "title", "phone", "email"],
                "title": "Adviser",
                "phone": "+243810000099",
            },
            headers=w.a.headers,
        )
        assert shown.status_code == 200, shown.text
        pages[f"directory entry saved {lang}"] = a.get("/account/directory?notice=saved").text
        pages[f"directory with contacts {lang}"] = b.get("/directory?area=CD6102").text

    # A coordinator's view of an area: the risk form, a pending lowering, its errors.
    org = make_organisation(db_session)
    created = make_member(db_session, org, roles=(Role.COORDINATOR,))
    assert created.totp_secret is not None
    coordinator = browser(created.member.email, totp=current_code(created.totp_secret))
    token = csrf(coordinator.get("/areas/CD61").text)
    for risk in ("high", "low"):
        coordinator.post(
            "/areas/CD61/risk", data={"csrf_token": token, "risk": risk, "reason": "x y z"}
        )
    take("coordinator area with pending change", coordinator, "/areas/CD61")
    bad = coordinator.post(
        "/areas/CD61/risk", data={"csrf_token": token, "risk": "?", "expires_at": "31/02/2099"}
    )
    assert bad.status_code == 422
    pages["coordinator area form with errors"] = bad.text

    # Joining: the application form, the committee's page, an invitation, the members page.
    committee_org = make_organisation(db_session, name="Comité de supervision")
    decider = make_member(db_session, committee_org, roles=(Role.COMMITTEE,))
    assert decider.totp_secret is not None
    for lang in ("en", "fr"):
        with TestClient(app, headers={"Accept-Language": lang}) as anonymous:
            form = anonymous.get("/apply")
            pages[f"apply {lang}"] = form.text
            pages[f"apply with errors {lang}"] = anonymous.post(
                "/apply",
                data={"csrf_token": csrf(form.text), "name": "x", "areas": "Atlantis"},
            ).text
            sent = anonymous.post(
                "/apply",
                data={
                    "csrf_token": csrf(form.text),
                    "name": f"Applicant {lang}",
                    "kind": "ngo",
                    "contact_name": "Awa Diallo",
                    "contact_email": f"awa-{lang}@applicant.example",
                    "areas": "Nord-Kivu",
                    "reason": "Mobile clinics on the roads of North Kivu.",
                },
            )
            pages[f"apply sent {lang}"] = sent.text
            take(f"join, unknown link {lang}", anonymous, "/join/not-a-token")
    committee_page = browser(
        decider.member.email, lang="fr", totp=current_code(decider.totp_secret)
    )
    pages["committee organisations fr"] = committee_page.get("/committee/organisations").text
    pending = next(
        o
        for o in client.get(f"{API}/organisations", headers=w.a.headers).json()
        if o["name"] == "Applicant en"
    )
    token = csrf(pages["committee organisations fr"])
    pages["committee refusal without reason fr"] = committee_page.post(
        f"/committee/organisations/{pending['id']}/refuse", data={"csrf_token": token}
    ).text
    committee_page.post(
        f"/committee/organisations/{pending['id']}/approve", data={"csrf_token": token}
    )
    from tests.hub.organisations.test_joining import invitation_token

    link = invitation_token(db_session, "awa-en@applicant.example")
    with TestClient(app, headers={"Accept-Language": "en"}) as invitee:
        join = invitee.get(f"/join/{link}")
        pages["join en"] = join.text
        pages["join with errors en"] = invitee.post(
            f"/join/{link}", data={"csrf_token": csrf(join.text), "password": "x"}
        ).text
        pages["joined, first member en"] = invitee.post(
            f"/join/{link}",
            data={
                "csrf_token": csrf(join.text),
                "password": "a quiet road near goma",
                "confirm": "a quiet road near goma",
            },
        ).text
        pages["join, used link en"] = invitee.get(f"/join/{link}").text
    for lang in ("en", "fr"):
        a = browser(w.a.email, lang=lang)
        members_page = a.get("/organisation/members")
        pages[f"members {lang}"] = members_page.text
        pages[f"members invite errors {lang}"] = a.post(
            "/organisation/members/invite",
            data={"csrf_token": csrf(members_page.text), "email": w.b.email, "roles": "liaison"},
        ).text
        a.post(
            "/organisation/members/invite",
            data={
                "csrf_token": csrf(members_page.text),
                "email": f"colleague-{lang}@a.example",
                "roles": "liaison",
            },
        )
        pages[f"members with invitation {lang}"] = a.get("/organisation/members").text

    # The operator's pages: the audit log (filtered, with field errors, verified, with an
    # altered entry), health; and what someone else is answered there.
    from sqlalchemy import text

    ops_org = make_organisation(db_session, name="Hub operations")
    operator = make_member(db_session, ops_org, roles=(Role.OPERATOR,))
    assert operator.totp_secret is not None
    op = browser(operator.member.email, totp=current_code(operator.totp_secret))
    for lang in ("en", "fr"):
        as_lang = {"Accept-Language": lang}
        take(f"operator audit {lang}", op, "/operator/audit", as_lang)
        take(
            f"operator audit filtered {lang}",
            op,
            "/operator/audit?action=member:create&who=x%40y.org&organisation="
            + "&area=CD61&since=2026-01-01&until=2999-01-01",
            as_lang,
        )
        take(
            f"operator audit errors {lang}",
            op,
            "/operator/audit?action=zz&organisation=Nobody&area=Atlantis&since=31/02/2026"
            "&until=x&cursor=zz",
            as_lang,
        )
        take(f"operator health {lang}", op, "/operator/health", as_lang)
        take(f"operator audit refused to a focal point {lang}", a, "/operator/audit", as_lang)
    db_session.execute(text("UPDATE audit_entries SET actor = 'x' WHERE seq = 2"))
    db_session.commit()
    verified = op.post(
        "/operator/audit/verify", data={"csrf_token": csrf(pages["operator audit en"])}
    )
    assert "Broken at entry 2." in verified.text
    pages["operator audit broken"] = verified.text

    assert len(pages) >= 50
    assert_valid_html(pages)
