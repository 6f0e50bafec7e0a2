"""What the directory API takes and returns: an area's contacts and my own entry."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from hub.directory.models import DirectoryAudience
from hub.fields import ContactLine, PhoneLine, one_clean_line

Shown = Literal["name", "title", "phone", "email"]
TitleLine = Annotated[str, StringConstraints(max_length=100), AfterValidator(one_clean_line)]


class DirectoryEntrySet(BaseModel):
    """What I show of myself in the partners' directory, and to whom."""

    model_config = ConfigDict(extra="forbid")

    show: list[Shown] = Field(
        default_factory=list,
        max_length=4,
        description="the details partners see; empty: I am not in the directory",
    )
    title: TitleLine | None = Field(default=None, examples=["Country security adviser"])
    phone: PhoneLine | None = Field(
        default=None, description="in international form (E.164)", examples=["+243810000001"]
    )
    email: ContactLine | None = Field(
        default=None, description="the address to show; empty: my account's"
    )
    audience: DirectoryAudience = Field(
        default=DirectoryAudience.PARTNERS,
        description="partners: members of every approved partner; area_partners: members of "
        "approved partners working where my organisation works",
    )


class DirectoryEntryRead(BaseModel):
    show: list[Shown]
    name: str
    title: str | None
    phone: str | None
    email: str
    email_is_account: bool
    audience: DirectoryAudience
    updated_at: dt.datetime | None


class ContactRead(BaseModel):
    """One member as they chose to show themselves: a detail they hide is null."""

    name: str | None
    title: str | None
    phone: str | None
    email: str | None


class DirectoryOrganisation(BaseModel):
    id: str
    name: str
    kind: str
    yours: bool
    present_in: list[str] = Field(description="the areas it named that concern this area")
    contacts: list[ContactRead]


class AreaRef(BaseModel):
    code: str
    name: str


class DirectoryRead(BaseModel):
    area: AreaRef
    organisations: list[DirectoryOrganisation]
