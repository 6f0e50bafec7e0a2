"""The directory in pages: `/directory` (pick an area by name, see who to call in each partner
present there) and `/account/directory` (what I show of myself, and to whom). Plain HTML
forms; phone numbers are tel: links and addresses mailto: links, so a phone dials them."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from hub.actors import Actor
from hub.deps import SessionDep
from hub.directory import service
from hub.directory.models import DirectoryAudience
from hub.directory.schemas import DirectoryEntryRead, DirectoryEntrySet
from hub.errors import field_errors, validation_message
from hub.i18n import gettext as _
from hub.web import PageActorDep, PageRoute, area_labels, render, require_csrf

router = APIRouter(include_in_schema=False, route_class=PageRoute)

NOTICES: dict[str, Callable[[], str]] = {
    "saved": lambda: _("Saved: partners now see what you chose."),
    "removed": lambda: _(
        "You are no longer in the directory; the details you kept there are deleted."
    ),
}

_TEXT = ("title", "phone", "email")


@dataclass
class EntryForm:
    values: dict[str, str] = field(default_factory=dict)
    shown: list[str] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)

    def value(self, name: str) -> str:
        return self.values.get(name, "")

    def ticked(self, name: str) -> bool:
        return name in self.shown

    @classmethod
    def of(cls, entry: DirectoryEntryRead) -> EntryForm:
        return cls(
            values={
                "title": entry.title or "",
                "phone": entry.phone or "",
                "email": "" if entry.email_is_account else entry.email,
                "audience": entry.audience.value,
            },
            shown=list(entry.show),
        )

    @classmethod
    def posted(cls, pairs: Iterable[tuple[str, Any]]) -> EntryForm:
        form = cls()
        for name, raw in pairs:
            if not isinstance(raw, str):
                continue
            if name == "show":
                if raw in service.FIELDS and raw not in form.shown:
                    form.shown.append(raw)
            elif name in (*_TEXT, "audience") and name not in form.values:
                form.values[name] = raw.strip()
        return form

    def to_entry(self) -> DirectoryEntrySet | None:
        data = {
            "show": self.shown,
            "title": self.value("title") or None,
            "phone": self.value("phone") or None,
            "email": self.value("email") or None,
            "audience": self.value("audience") or DirectoryAudience.PARTNERS.value,
        }
        try:
            return DirectoryEntrySet.model_validate(data)
        except ValidationError as exc:
            for err in exc.errors():
                name = str(err["loc"][0]) if err["loc"] else "show"
                self.errors.setdefault(name, validation_message(err))
            return None


async def _posted(request: Request) -> list[tuple[str, Any]]:
    form = await request.form(max_files=0, max_fields=20)
    return list(form.multi_items())


PostedDep = Annotated[list[tuple[str, Any]], Depends(_posted)]


@router.get("/directory")
def directory_page(
    request: Request,
    actor: PageActorDep,
    session: SessionDep,
    area: Annotated[str, Query(max_length=200)] = "",
) -> Response:
    if "\x00" in area:
        area = ""
    found = service.directory_page(session, actor=actor, query=area, lang=request.state.locale)
    return render(
        request,
        "directory/directory.html",
        status=422 if found.error else 200,
        page=found,
        area_label=area_labels(session),
    )


def _entry_page(
    request: Request,
    session: Session,
    actor: Actor,
    *,
    form: EntryForm | None = None,
    status: int = 200,
    notice: str | None = None,
) -> Response:
    entry = service.get_entry(session, actor=actor)
    return render(
        request,
        "directory/entry.html",
        status=status,
        entry=entry,
        form=form or EntryForm.of(entry),
        notice=notice,
        audiences=list(DirectoryAudience),
    )


@router.get("/account/directory")
def entry_page(
    request: Request,
    actor: PageActorDep,
    session: SessionDep,
    notice: Annotated[str, Query(max_length=40)] = "",
) -> Response:
    return _entry_page(
        request, session, actor, notice=NOTICES[notice]() if notice in NOTICES else None
    )


@router.post("/account/directory")
def entry_save(
    request: Request, actor: PageActorDep, session: SessionDep, posted: PostedDep
) -> Response:
    require_csrf(request, next((v for k, v in posted if k == "csrf_token"), None))
    form = EntryForm.posted(posted)
    data = form.to_entry()
    if data is None:
        return _entry_page(request, session, actor, form=form, status=422)
    try:
        service.set_entry(session, actor=actor, data=data)
    except service.EntryInvalid as exc:
        session.rollback()
        form.errors.update(field_errors(exc))
        return _entry_page(request, session, actor, form=form, status=exc.status)
    return RedirectResponse("/account/directory?notice=saved", status_code=303)


@router.post("/account/directory/remove")
def entry_remove(
    request: Request, actor: PageActorDep, session: SessionDep, posted: PostedDep
) -> Response:
    require_csrf(request, next((v for k, v in posted if k == "csrf_token"), None))
    service.remove_entry(session, actor=actor)
    return RedirectResponse("/account/directory?notice=removed", status_code=303)
