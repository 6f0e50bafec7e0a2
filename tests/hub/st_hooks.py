"""Schemathesis hooks for the suite's run with all checks (tests/hub/test_openapi_conformance.py).

One check is narrowed, not dropped: `positive_data_acceptance` fails a request that the
schema allows and the hub refuses. Some refusals no schema can express — an area code of the
right shape that no area has, a confirmation code that is not the one sent, a TLP above the
policy file's cap. The OpenAPI document names those fields per operation in
`x-server-checks` (hub/openapi.py), so a client knows them too; a 422 whose field errors
all name such fields passes, anything else fails exactly as the stock check would.
"""

from __future__ import annotations

import json
from typing import Any

import schemathesis
from schemathesis.specs.openapi.checks import positive_data_acceptance


def _fields(response: Any) -> list[str] | None:
    try:
        body = json.loads(response.content)
    except (ValueError, TypeError):
        return None
    errors = body.get("errors") if isinstance(body, dict) else None
    if not errors:
        return None
    return [str(e.get("field") or "") for e in errors if isinstance(e, dict)]


@schemathesis.check
def positive_data_acceptance_with_server_checks(ctx: Any, response: Any, case: Any) -> bool | None:
    meta = case.meta
    if meta is not None and meta.generation.mode.is_positive and response.status_code == 422:
        checked = (case.operation.definition.raw or {}).get("x-server-checks") or {}
        fields = _fields(response)
        if fields and all(f.split(".")[0] in checked for f in fields):
            return None
    return positive_data_acceptance(ctx, response, case)
