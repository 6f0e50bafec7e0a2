"""What the text forms of the pages share: the values as typed (so a form comes back as it was
sent), the ticked choices, and each error next to its field or, for a field the form does not
have, above the form — in the reader's language, pydantic's messages included."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, ClassVar, Self

from pydantic import ValidationError

from hub.errors import validation_message


@dataclass
class TextForm:
    # The form's text fields and its multiple-choice fields; anything else posted is ignored.
    FIELDS: ClassVar[tuple[str, ...]] = ()
    LISTS: ClassVar[tuple[str, ...]] = ()
    # Names an error may be shown beside besides those: a group of fields, say.
    MORE_ERRORS: ClassVar[tuple[str, ...]] = ()

    values: dict[str, str] = field(default_factory=dict)
    chosen: dict[str, list[str]] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def value(self, name: str) -> str:
        return self.values.get(name, "")

    def ticked(self, name: str, value: str) -> bool:
        return value in self.chosen.get(name, [])

    def add_error(self, name: str | None, message: str) -> None:
        """Beside the field when the form has it (its first error only), else above."""
        if name and name in self.FIELDS + self.LISTS + self.MORE_ERRORS:
            self.errors.setdefault(name, message)
        else:
            self.problems.append(message)

    def add_schema_errors(
        self, exc: ValidationError, field_of: Callable[[list[str]], str | None]
    ) -> None:
        """Every error of the schema at once, each beside the field `field_of` names."""
        for err in exc.errors():
            self.add_error(field_of([str(part) for part in err["loc"]]), validation_message(err))

    @classmethod
    def posted(cls, pairs: Iterable[tuple[str, Any]]) -> Self:
        form = cls()
        for name, raw in pairs:
            if not isinstance(raw, str):
                continue  # a file where text is expected: the form has no file field
            if name in cls.LISTS:
                kept = form.chosen.setdefault(name, [])
                if raw and raw not in kept:
                    kept.append(raw)
            elif name in cls.FIELDS and name not in form.values:
                form.values[name] = raw.strip()
        return form
