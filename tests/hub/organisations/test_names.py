"""No one registers a look-alike of a partner: names are NFKC-normalised, refuse invisible
and control characters, and are compared with every existing name through Unicode's
confusables (the review registered "Οxfam" with a Greek Omicron next to "Oxfam")."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from hub.actors import CONSOLE
from hub.errors import Conflict, InvalidInput
from hub.organisations import service
from hub.organisations.models import OrganisationKind
from tests.hub.organisations.test_api import _committee


def _create(session: Session, name: str) -> str:
    return service.create_organisation(
        session, actor=CONSOLE, name=name, kind=OrganisationKind.INGO
    ).name


@pytest.mark.parametrize(
    "lookalike",
    [
        "\u039fxfam Intermón",  # Greek capital Omicron
        "Oxfam Interm\u043en",  # Cyrillic o
        "0xfam Intermón",  # digit zero
        "Oxfarn Intermón",  # r + n for m
        "OXFAM INTERMÓN",  # case
        "Oxfam  Intermo\u0301n",  # two spaces, combining accent (NFKC composes it)
        "Oxfam Intermon",  # accent dropped
    ],
)
def test_a_lookalike_of_an_existing_name_is_refused(db_session: Session, lookalike: str) -> None:
    _create(db_session, "Oxfam Intermón")
    with pytest.raises(Conflict):
        _create(db_session, lookalike)


@pytest.mark.parametrize(
    "name",
    [
        "Oxfam\u200b Intermón",  # zero-width space
        "Oxfam \u202eIntermón",  # right-to-left override
        "Oxfam\x00Intermón",
        "Oxfam\u2028Intermón",  # line separator
        "Oxfam\u00adIntermón",  # soft hyphen (format)
    ],
)
def test_invisible_and_control_characters_are_refused(db_session: Session, name: str) -> None:
    with pytest.raises(InvalidInput):
        _create(db_session, name)


def test_nfkc_and_distinct_names(db_session: Session) -> None:
    assert _create(db_session, "ＫＩＶＵ Relief") == "KIVU Relief"  # full-width letters
    assert _create(db_session, "Médecins du Monde") == "Médecins du Monde"
    assert _create(db_session, "Médecins Sans Frontières") == "Médecins Sans Frontières"
    assert _create(db_session, "UNICEF") == "UNICEF"
    assert _create(db_session, "UNHCR") == "UNHCR"


def test_the_api_answers_a_lookalike_with_409_problem(
    client: TestClient, db_session: Session
) -> None:
    headers = _committee(client, db_session)
    first = client.post(
        "/api/v1/organisations",
        headers=headers,
        json={"name": "Norwegian Refugee Council", "kind": "ingo"},
    )
    assert first.status_code == 201
    copy = client.post(
        "/api/v1/organisations",
        headers={**headers, "Accept-Language": "fr"},
        json={"name": "Norwegian Refugee CounciI", "kind": "ingo"},  # capital I for l
    )
    assert copy.status_code == 409
    assert copy.headers["content-type"].startswith("application/problem+json")
    assert "Norwegian Refugee Council" in copy.json()["detail"]
    hidden = client.post(
        "/api/v1/organisations",
        headers=headers,
        json={"name": "Kivu\u200dRelief", "kind": "ngo"},
    )
    assert hidden.status_code == 422
    assert hidden.json()["errors"][0]["field"] == "name"
