"""Facts for policy tests: a small area tree, organisations, headers, and hypothesis
strategies that build whole worlds from them."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import strategies as st

from policies import Area, Audience, Organisation, ReportHeader, area_map
from policies.vocabulary import (
    AudienceScope,
    OrganisationKind,
    OrganisationStatus,
    ReportType,
    Severity,
    Tlp,
)

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)

# Two countries, P-code shaped: CD → CD61 → CD6102 → CD610201, and a custom security area.
AREAS = area_map(
    [
        Area("CD"),
        Area("CD61", "CD"),
        Area("CD6102", "CD61"),
        Area("CD610201", "CD6102"),
        Area("CD62", "CD"),
        Area("CD6201", "CD62"),
        Area("CD-SA-GOMA", "CD61"),
        Area("ML"),
        Area("ML01", "ML"),
        Area("ML0101", "ML01"),
    ]
)
AREA_CODES = sorted(AREAS)


def org(
    id: str,
    *areas: str,
    status: OrganisationStatus = OrganisationStatus.APPROVED,
    kind: OrganisationKind = OrganisationKind.INGO,
) -> Organisation:
    return Organisation(id=id, kind=kind, status=status, areas=frozenset(areas))


def header(
    *,
    id: str = "R1",
    type: ReportType = ReportType.INCIDENT,
    area: str = "CD61",
    severity: Severity = Severity.SEVERE,
    tlp: Tlp = Tlp.AMBER,
    originator: str = "origin",
) -> ReportHeader:
    return ReportHeader(
        id=id, type=type, area=area, severity=severity, tlp=tlp, originator=originator
    )


ORG_IDS = [f"o{i}" for i in range(12)]

organisations_st = st.builds(
    lambda ids_areas_status: {
        i: Organisation(i, OrganisationKind.INGO, status, frozenset(areas))
        for i, (areas, status) in ids_areas_status.items()
    },
    st.dictionaries(
        st.sampled_from(ORG_IDS),
        st.tuples(
            st.frozensets(st.sampled_from(AREA_CODES), max_size=3),
            st.sampled_from(list(OrganisationStatus)),
        ),
        min_size=1,
        max_size=len(ORG_IDS),
    ),
)

audience_st = st.one_of(
    st.none(),
    st.sampled_from([Audience.of_scope(s) for s in AudienceScope]),
    st.frozensets(st.sampled_from([*ORG_IDS, "unknown"]), min_size=1, max_size=5).map(
        lambda ids: Audience(organisations=ids)
    ),
)


@st.composite
def header_st(draw: st.DrawFn, organisation_ids: list[str]) -> ReportHeader:
    return ReportHeader(
        id="R",
        type=draw(st.sampled_from(list(ReportType))),
        area=draw(st.sampled_from(AREA_CODES)),
        severity=draw(st.sampled_from(list(Severity))),
        tlp=draw(st.sampled_from(list(Tlp))),
        originator=draw(st.sampled_from(organisation_ids)),
    )
