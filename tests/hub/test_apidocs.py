"""/docs is a server-rendered reference: every route, nothing loaded from elsewhere."""

import re


def test_docs_lists_every_route_without_outside_resources(client) -> None:
    page = client.get("/docs")
    assert page.status_code == 200
    assert "PUT /api/v1/areas/{code}/risk" in page.text
    assert "POST /api/v1/auth/login" in page.text
    assert 'id="schema-RiskSet"' in page.text
    assert "<script" not in page.text
    assert not re.search(r"(src|href)=\"https?://", page.text)
    assert "script-src" not in page.headers["content-security-policy"]


def test_docs_in_french(client) -> None:
    page = client.get("/docs?lang=fr")
    assert page.headers["content-language"] == "fr"
    assert "API JSON" in page.text
