"""The key→line index against documents whose lines we know: a small TOML writer records
where it puts each key and element, tomllib checks the document is valid, and key_lines must
find every one of them on the same line — whatever strings, comments, quoted keys, inline
tables, multi-line arrays, arrays of tables and tables inside them surround it."""

from __future__ import annotations

import re
import tomllib
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from policies.policyfile import KeyPath, key_lines

KEYS = ["a", "b-c", "d_e", "7", "quoted key", "dot.ted", "é", "x = 1", "[t]"]
CHARS = "az =[]#.,{}'é"  # things that look like TOML syntax inside strings


def render_key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else '"' + key + '"'


strings = st.text(alphabet=CHARS, max_size=8)
scalars = st.one_of(
    st.integers(-5, 5),
    st.booleans(),
    st.tuples(st.sampled_from(["basic", "literal", "multi"]), strings),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.sampled_from(KEYS), inner, max_size=3),
    ),
    max_leaves=6,
)


class Writer:
    def __init__(self) -> None:
        self.parts: list[str] = []
        self.line = 1
        self.expected: dict[KeyPath, int] = {}

    def put(self, text: str) -> None:
        self.parts.append(text)
        self.line += text.count("\n")

    def mark(self, path: KeyPath) -> None:
        self.expected.setdefault(path, self.line)

    def scalar(self, value: Any) -> None:
        if isinstance(value, bool):
            self.put("true" if value else "false")
        elif isinstance(value, int):
            self.put(str(value))
        else:
            style, text = value
            if style == "literal" and "'" not in text:
                self.put("'" + text + "'")
            elif style == "multi":
                self.put('"""\n' + text.replace(" ", "\n") + '\nx = "no" # not a key\n"""')
            else:
                self.put('"' + text + '"')

    def value(self, path: KeyPath, value: Any, inline: bool, multiline: bool) -> None:
        if isinstance(value, list):
            self.put("[")
            for i, element in enumerate(value):
                if multiline and not inline:
                    self.put("\n  # a comment, [not a table]\n  ")
                self.mark((*path, i))
                self.value((*path, i), element, inline, multiline)
                self.put(", ")
            self.put("\n]" if multiline and not inline else "]")
        elif isinstance(value, dict):
            self.put("{ ")
            for j, (key, element) in enumerate(value.items()):
                if j:
                    self.put(", ")
                self.mark((*path, key))
                self.put(render_key(key) + " = ")
                self.value((*path, key), element, True, multiline)
            self.put(" }")
        else:
            self.scalar(value)

    def pairs(self, prefix: KeyPath, table: dict[str, Any], multiline: bool) -> None:
        for key, value in table.items():
            self.mark((*prefix, key))
            self.put(render_key(key) + " = ")
            self.value((*prefix, key), value, False, multiline)
            self.put("  # trailing comment\n")


@settings(max_examples=150, deadline=None)
@given(
    top=st.dictionaries(st.sampled_from(KEYS), values, max_size=4),
    tables=st.dictionaries(
        st.sampled_from(KEYS),
        st.dictionaries(st.sampled_from(KEYS), values, max_size=3),
        max_size=2,
    ),
    entries=st.lists(
        st.tuples(
            st.dictionaries(st.sampled_from(KEYS), values, max_size=2),
            st.dictionaries(st.sampled_from(KEYS), values, max_size=2),
        ),
        max_size=3,
    ),
    multiline=st.booleans(),
)
def test_key_lines_finds_every_key_where_it_was_written(
    top: dict[str, Any],
    tables: dict[str, dict[str, Any]],
    entries: list[tuple[dict[str, Any], dict[str, Any]]],
    multiline: bool,
) -> None:
    w = Writer()
    w.put("# generated\n")
    w.pairs((), top, multiline)
    for name, table in tables.items():
        name = "t " + name  # never clashes with a top-level key
        w.put("\n")
        w.mark((name,))
        w.put(f"[ {render_key(name)} ]\n")
        w.pairs((name,), table, multiline)
    for i, (entry, sub) in enumerate(entries):
        w.mark(("entries",))
        w.mark(("entries", i))
        w.put("[[entries]]\n")
        w.pairs(("entries", i), entry, multiline)
        # A table inside the latest entry: its header names the array, not the index.
        w.mark(("entries", i, "sub"))
        w.put("[entries.sub]\n")
        w.pairs(("entries", i, "sub"), sub, multiline)
    text = "".join(w.parts)
    tomllib.loads(text)  # the writer produced valid TOML
    lines = key_lines(text)
    assert {path: lines.get(path) for path in w.expected} == w.expected
