"""Where each key of a TOML text starts: the key -> line index that lets every policy error name
its line.

Guarantee: it runs only on text tomllib has already accepted, so it never judges validity; it
only tracks strings, brackets, comments and table headers to learn where each key path and
array element starts. Should it ever lose its place it returns what it had so far, so errors
still all come out, pointing at the nearest table it knows (or line 1).

Why a home-made index rather than tomlkit: tomllib (stdlib) gives positions only for syntax
errors, and tomlkit does not expose line numbers of parsed items either (its issue #55 has been
open since 2019). No new dependency, and tomllib stays the one authority on what the file
means. Pure: no I/O, no clock.
"""

from __future__ import annotations

import tomllib

KeyPath = tuple[str | int, ...]


class _Desync(Exception):
    """The scanner lost its place (a bug, or text tomllib did not accept)."""


class _Scanner:
    """Walks TOML text that tomllib has accepted and records the line where each key path
    (tables, keys, array-of-tables entries, array elements) starts."""

    def __init__(self, text: str) -> None:
        self.s = text
        self.i = 0
        self.line = 1
        self.lines: dict[KeyPath, int] = {}
        self.aot: dict[KeyPath, int] = {}

    def peek(self, n: int = 1) -> str:
        return self.s[self.i : self.i + n]

    def advance(self, n: int = 1) -> None:
        if self.i + n > len(self.s):
            # Only reachable if this scanner misreads text tomllib accepted: stop, never loop.
            raise _Desync
        self.line += self.s.count("\n", self.i, self.i + n)
        self.i += n

    def skip_blank(self, newlines: bool) -> None:
        while self.i < len(self.s):
            c = self.s[self.i]
            if c in " \t\r" or (newlines and c == "\n"):
                self.advance()
            elif c == "#":
                end = self.s.find("\n", self.i)
                self.advance((len(self.s) if end < 0 else end) - self.i)
            else:
                return

    def progressed(self, start: int) -> None:
        # Every loop iteration must consume text; one that does not has lost its place.
        if self.i <= start or self.i >= len(self.s):
            raise _Desync

    def record(self, path: KeyPath) -> None:
        self.lines.setdefault(path, self.line)

    def run(self) -> dict[KeyPath, int]:
        table: KeyPath = ()
        while True:
            self.skip_blank(newlines=True)
            if self.i >= len(self.s):
                return self.lines
            start = self.i
            if self.peek(2) == "[[":
                self.advance(2)
                keys = self.key()
                self.skip_blank(newlines=False)
                self.advance(2)  # ]]
                array = (*self.resolve(keys[:-1]), keys[-1])
                index = self.aot.get(array, 0)
                self.aot[array] = index + 1
                table = (*array, index)
                self.record(array)
                self.record(table)
            elif self.peek() == "[":
                self.advance()
                keys = self.key()
                self.skip_blank(newlines=False)
                self.advance()  # ]
                table = self.resolve(keys)
                self.record(table)
            else:
                self.pair(table)
            if self.i <= start:
                raise _Desync

    def resolve(self, keys: tuple[str, ...]) -> KeyPath:
        # A header path that crosses an array of tables means its latest entry.
        path: KeyPath = ()
        for key in keys:
            path = (*path, key)
            if path in self.aot:
                path = (*path, self.aot[path] - 1)
        return path

    def pair(self, table: KeyPath) -> None:
        path = (*table, *self.key())
        self.record(path)
        self.skip_blank(newlines=False)
        self.advance()  # =
        self.skip_blank(newlines=False)
        self.value(path)

    def key(self) -> tuple[str, ...]:
        keys: list[str] = []
        while True:
            self.skip_blank(newlines=False)
            c = self.peek()
            start = self.i
            if c in "\"'":
                self.string()
                try:  # tomllib decodes the quoted key exactly as it did for the document
                    keys.append(tomllib.loads("k = " + self.s[start : self.i])["k"])
                except tomllib.TOMLDecodeError as exc:
                    raise _Desync from exc
            else:
                while self.i < len(self.s) and (self.s[self.i].isalnum() or self.s[self.i] in "-_"):
                    self.advance()
                keys.append(self.s[start : self.i])
            self.skip_blank(newlines=False)
            if self.peek() != ".":
                return tuple(keys)
            self.advance()

    def string(self) -> None:
        quote = self.peek()
        if self.peek(3) == quote * 3:
            self.advance(3)
            while self.peek(3) != quote * 3:
                self.advance(2 if quote == '"' and self.peek() == "\\" else 1)
            self.advance(3)
            # A multi-line string may end with up to two quotes of its own before the closer.
            while self.peek() == quote:
                self.advance()
            return
        self.advance()
        while self.peek() != quote:
            self.advance(2 if quote == '"' and self.peek() == "\\" else 1)
        self.advance()

    def value(self, path: KeyPath) -> None:
        c = self.peek()
        if c in "\"'":
            self.string()
        elif c == "[":
            self.advance()
            index = 0
            while True:
                self.skip_blank(newlines=True)
                if self.peek() == "]":
                    self.advance()
                    return
                start = self.i
                element = (*path, index)
                self.record(element)
                self.value(element)
                self.skip_blank(newlines=True)
                if self.peek() == ",":
                    self.advance()
                self.progressed(start)
                index += 1
        elif c == "{":
            self.advance()
            while True:
                self.skip_blank(newlines=False)
                if self.peek() == "}":
                    self.advance()
                    return
                start = self.i
                self.pair(path)
                self.skip_blank(newlines=False)
                if self.peek() == ",":
                    self.advance()
                self.progressed(start)
        else:
            # Numbers, booleans, dates: no brackets or quotes inside, but a date-time may
            # contain a space, so stop only at what can follow a value.
            while self.i < len(self.s) and self.s[self.i] not in ",]}#\n":
                self.advance()


def key_lines(text: str) -> dict[KeyPath, int]:
    """Line of every key path in `text`, which must be valid TOML. Array elements and
    array-of-tables entries are addressed by their 0-based index.

    Should the scanner ever lose its place, it returns what it had recorded so far: errors
    then point at the nearest table the index knows, or line 1, and are still all reported."""
    scanner = _Scanner(text)
    try:
        return scanner.run()
    except _Desync:
        return scanner.lines
