"""The areas API as a coordinator's client uses it: 200 at once, 202 then confirm."""

from hub.members.models import Role
from tests.hub.factories import current_code, login, make_member, make_organisation

from .factories import make_tree


def _coordinator(db_session, client, org):
    created = make_member(db_session, org, roles=(Role.COORDINATOR,))
    return login(client, created.member.email, totp=current_code(created.totp_secret))


def test_set_risk_and_four_eyes_over_http(db_session, client) -> None:
    make_tree(db_session)
    un = make_organisation(db_session, name="UNDSS")
    alice, bob = _coordinator(db_session, client, un), _coordinator(db_session, client, un)

    listing = client.get("/api/v1/areas", headers=alice)
    assert listing.status_code == 200
    row = next(a for a in listing.json() if a["code"] == "CD6102")
    assert (row["risk"], row["level"], row["parent"]) == ("low", "normal", "CD61")

    raised = client.put(
        "/api/v1/areas/CD61/risk", headers=alice, json={"risk": "high", "reason": "Affrontements"}
    )
    assert raised.status_code == 200, raised.text
    assert raised.json() == {"code": "CD61", "risk": "high", "level": "enhanced"}

    lowered = client.put(
        "/api/v1/areas/CD61/risk", headers=alice, json={"risk": "low", "reason": "Accalmie"}
    )
    assert lowered.status_code == 202
    change_id = lowered.json()["change_id"]
    assert lowered.json()["status"] == "awaiting_confirmation"
    same = client.post(f"/api/v1/risk-changes/{change_id}/confirm", headers=alice)
    assert same.status_code == 403
    assert same.headers["content-type"].startswith("application/problem+json")
    ok = client.post(f"/api/v1/risk-changes/{change_id}/confirm", headers=bob)
    assert ok.status_code == 200
    assert ok.json()["level"] == "normal"

    detail = client.get("/api/v1/areas/CD61", headers=bob).json()
    assert [h["risk"] for h in detail["history"]] == ["low", "high"]
    assert detail["history"][0]["confirmed_by"] is not None


def test_bad_input_gets_field_errors(db_session, client) -> None:
    make_tree(db_session)
    alice = _coordinator(db_session, client, make_organisation(db_session, name="UNDSS"))
    bad = client.put("/api/v1/areas/CD61/risk", headers=alice, json={"risk": "extreme"})
    assert bad.status_code == 422
    assert bad.headers["content-type"].startswith("application/problem+json")
    missing = client.get("/api/v1/areas/ZZ", headers=alice)
    assert missing.status_code == 404
    naive = client.put(
        "/api/v1/areas/CD61/risk",
        headers=alice,
        json={"risk": "high", "reason": "élections", "expires_at": "2026-12-01T00:00:00"},
    )
    assert naive.status_code == 422
    anonymous = client.get("/api/v1/areas")
    assert anonymous.status_code == 401
