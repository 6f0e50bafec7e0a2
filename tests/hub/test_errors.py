from __future__ import annotations

import logging
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient


def test_validation_errors_are_problem_json_with_fields(client: TestClient) -> None:
    response = client.post("/api/v1/auth/login", json={"email": "x@example.org"})
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == 422
    assert body["title"] == "Invalid input"
    assert {"field": "password", "location": "body", "message": "This field is required."} in body[
        "errors"
    ]

    french = client.post(
        "/api/v1/auth/login", json={"email": "x@example.org"}, headers={"Accept-Language": "fr"}
    )
    assert french.json()["errors"][0]["message"] == "Ce champ est obligatoire."
    assert french.json()["detail"] == "Certains champs sont manquants ou invalides."


@pytest.mark.parametrize(
    ("method", "path", "kwargs"),
    [
        (
            "post",
            "/api/v1/auth/login",
            {"content": b"{not json", "headers": {"content-type": "application/json"}},
        ),
        ("post", "/api/v1/auth/login", {"json": ["a", "list"]}),
        ("post", "/api/v1/auth/login", {"json": {"email": "a" * 5000, "password": "x"}}),
        ("get", "/api/v1/audit?after=-1", {}),
        ("get", "/no/such/page", {}),
        ("delete", "/api/v1/health", {}),
    ],
)
def test_bad_input_never_answers_500(
    client: TestClient, method: str, path: str, kwargs: Any
) -> None:
    response = getattr(client, method)(path, **kwargs)
    assert 400 <= response.status_code < 500
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["status"] == response.status_code


def test_unexpected_error_is_opaque_and_logged(
    app: FastAPI, caplog: pytest.LogCaptureFixture
) -> None:
    @app.get("/api/v1/boom")
    def boom() -> None:
        raise RuntimeError("secret internals: table members")

    with caplog.at_level(logging.ERROR, logger="hub"), TestClient(app) as client:
        response = client.get("/api/v1/boom")
    assert response.status_code == 500
    body = response.json()
    assert "secret internals" not in response.text
    assert body["request_id"] == response.headers["x-request-id"]
    assert body["request_id"] in body["detail"]
    assert any(body["request_id"] in r.getMessage() for r in caplog.records)
    assert any("secret internals" in str(r.exc_info) for r in caplog.records)


def test_nul_character_is_bad_input_on_every_database(client, request) -> None:
    # PostgreSQL refuses NUL in text (found by schemathesis); the answer is a 4xx, not a 500.
    response = client.post(
        "/api/v1/auth/login", json={"email": "a\u0000@example.org", "password": "x\u0000y"}
    )
    # SQLite stores NUL and simply finds no such account.
    expected = 422 if request.config.getoption("--db") == "postgresql" else 401
    assert response.status_code == expected
    assert response.headers["content-type"].startswith("application/problem+json")


def test_an_unknown_page_address_answers_a_page_and_the_api_answers_json(
    client: TestClient,
) -> None:
    browser = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8", "Accept-Language": "fr"}
    page = client.get("/reports/not/a/page", headers=browser)
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert "<h1>Introuvable</h1>" in page.text
    assert "<script" not in page.text
    api = client.get("/api/v1/no/such/thing", headers=browser)
    assert api.status_code == 404
    assert api.headers["content-type"].startswith("application/problem+json")
    script = client.get("/reports/not/a/page")
    assert script.headers["content-type"].startswith("application/problem+json")
