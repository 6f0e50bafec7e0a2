"""JSON API for reports (/api/v1/reports, /api/v1/policy/explain). Each route validates,
calls one service function, and shapes the answer; the services own the transaction."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query, Request, Response

from hub.consents import service as consents
from hub.deps import ActorDep, BearerDep, PolicyDep, SessionDep, SettingsDep, as_actor
from hub.fields import UtcMoment
from hub.openapi import server_checks
from hub.reports import service
from hub.reports.downloads import attachment_response
from hub.reports.schemas import (
    ExplainRead,
    ReportCreate,
    ReportCreated,
    ReportRead,
    ReportSummary,
)
from policies.vocabulary import ReportType, Severity

router = APIRouter(tags=["reports"])

_PROBLEMS: dict[int | str, dict[str, object]] = {
    401: {"description": "Not logged in"},
    403: {"description": "Not allowed: role, organisation status, or keys not granted"},
    404: {"description": "No such report, or not one your organisation can read"},
    409: {"description": "The stored report failed its integrity check"},
    410: {"description": "Withdrawn by the originator"},
    422: {"description": "Invalid input"},
}


@router.post(
    "/reports",
    status_code=201,
    response_model=ReportCreated,
    responses=_PROBLEMS,
    openapi_extra=server_checks(
        area="an area the hub knows (GET /areas)",
        incident_id="a report of this incident your organisation can read",
        supersedes="a report your organisation published",
        tlp="allowed by the policy at the area's level (TLP:RED needs named organisations)",
        audience="allowed by the policy at the area's level",
        attachments="base64 of a file type the hub accepts, within the size limit",
        expires_at="after occurred_at",
        body="the body of the report's type",
    ),
)
async def submit_report(
    body: ReportCreate,
    request: Request,
    credentials: BearerDep,
    settings: SettingsDep,
    policy: PolicyDep,
    response: Response,
    idempotency_key: Annotated[
        str | None, Header(alias="Idempotency-Key", min_length=1, max_length=200)
    ] = None,
) -> ReportCreated:
    # One threadpool call for authentication and publication (hub.deps.as_actor).
    published = await as_actor(
        request,
        credentials,
        lambda session, actor: service.submit_report(
            session,
            actor=actor,
            report_in=body,
            policy=policy,
            data_dir=settings.data_dir,
            idempotency_key=idempotency_key,
        ),
    )
    if not published.created:
        # A retry of a submission that already succeeded: the same report, said so.
        response.status_code = 200
        response.headers["Idempotent-Replayed"] = "true"
    response.headers["Location"] = f"/api/v1/reports/{published.report.id}"
    return ReportCreated(
        id=published.report.id,
        recipients=published.recipients,
        level=published.level,
        not_reached=published.not_reached,
    )


@router.get(
    "/reports",
    response_model=list[ReportSummary],
    responses=_PROBLEMS,
    openapi_extra=server_checks(
        before="the cursor of a previous page's Link header, or the id of a report"
    ),
)
async def list_reports(
    request: Request,
    response: Response,
    credentials: BearerDep,
    policy: PolicyDep,
    area: str | None = None,
    type: ReportType | None = None,
    severity: Severity | None = None,
    since: UtcMoment | None = None,
    before: Annotated[
        str | None,
        Query(
            max_length=200,
            description=(
                "Where the previous page ended: the opaque cursor of its `Link: <…>; "
                'rel="next"` header (or, as older clients do, the id of its last report)'
            ),
        ),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=service.LIST_LIMIT)] = 50,
) -> list[ReportSummary]:
    # A read: one threadpool call, DEFERRED on SQLite (hub.deps.as_actor).
    page = await as_actor(
        request,
        credentials,
        lambda session, actor: service.inbox(
            session,
            actor=actor,
            policy=policy,
            area=area,
            report_type=type,
            severity=severity,
            since=since,
            before=before,
            limit=limit,
        ),
        read=True,
    )
    if page.next_before is not None:
        following = request.url.include_query_params(before=page.next_before)
        response.headers["Link"] = f'<{following.path}?{following.query}>; rel="next"'
    return page.items


@router.get("/reports/{report_id}", response_model=ReportRead, responses=_PROBLEMS)
async def read_report(report_id: str, request: Request, credentials: BearerDep) -> ReportRead:
    # One threadpool call for authentication and opening (hub.deps.as_actor).
    return await as_actor(
        request,
        credentials,
        lambda session, actor: service.read_report(session, actor=actor, report_id=report_id),
        read=True,
    )


@router.get("/reports/{report_id}/attachments/{attachment_id}", responses=_PROBLEMS)
def read_attachment(
    report_id: str, attachment_id: str, actor: ActorDep, session: SessionDep, settings: SettingsDep
) -> Response:
    found = service.read_attachment(
        session,
        actor=actor,
        report_id=report_id,
        attachment_id=attachment_id,
        data_dir=settings.data_dir,
    )
    return attachment_response(found)


@router.delete("/reports/{report_id}", status_code=204, responses=_PROBLEMS)
def withdraw_report(
    report_id: str, actor: ActorDep, session: SessionDep, settings: SettingsDep
) -> Response:
    service.withdraw_report(session, actor=actor, report_id=report_id, data_dir=settings.data_dir)
    return Response(status_code=204)


@router.get("/policy/explain", response_model=ExplainRead, responses=_PROBLEMS)
def explain(
    actor: ActorDep,
    session: SessionDep,
    policy: PolicyDep,
    report: str,
    organisation: str,
) -> ExplainRead:
    can_read, reasons, text = consents.explain_access(
        session, actor=actor, report_id=report, organisation_id=organisation, policy=policy
    )
    return ExplainRead(
        report=report,
        organisation=organisation,
        can_read=can_read,
        reasons=reasons,
        explanation=text,
    )
