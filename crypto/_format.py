"""Byte layouts shared by every blob: a two-byte prefix (kind, version) and a strict reader.

The prefix lets a stored blob say what it is and which format wrote it, so a later version
can read both and migrate (docs/envelope.md). The reader refuses trailing bytes and short
fields: a truncated or padded blob is an error, never a partial success.
"""

from __future__ import annotations

import struct

from crypto.errors import InvalidEnvelope, UnknownVersion

# One ASCII letter per kind of blob. Never reuse a letter for another meaning.
KIND_PASSPHRASE_LOCK = b"P"
KIND_MEMBER_WRAP = b"M"
KIND_RECOVERY_LOCK = b"C"
KIND_SESSION = b"S"
KIND_REPORT = b"R"
KIND_REPORT_KEY_WRAP = b"W"
KIND_BLOB = b"B"
KIND_ORG_PUBLIC = b"K"
KIND_MEMBER_PUBLIC = b"U"
KIND_HUB_SECRET = b"H"
KIND_ATTESTATION = b"A"

VERSION_1 = 1


def prefix(kind: bytes, version: int = VERSION_1) -> bytes:
    return kind + bytes([version])


def check_prefix(blob: bytes, kind: bytes, versions: frozenset[int] = frozenset({1})) -> int:
    if not isinstance(blob, bytes | bytearray | memoryview):
        raise InvalidEnvelope("expected bytes")
    if len(blob) < 2 or blob[:1] != kind:
        raise InvalidEnvelope(f"not a {kind.decode()!r} blob")
    version = blob[1]
    if version not in versions:
        raise UnknownVersion(f"{kind.decode()!r} blob version {version} is not supported")
    return version


class Reader:
    def __init__(self, data: bytes, offset: int = 0) -> None:
        self._data = bytes(data)
        self._pos = offset

    def take(self, n: int) -> bytes:
        if n < 0 or self._pos + n > len(self._data):
            raise InvalidEnvelope("truncated")
        out = self._data[self._pos : self._pos + n]
        self._pos += n
        return out

    def u8(self) -> int:
        return self.take(1)[0]

    def u16(self) -> int:
        value: int = struct.unpack(">H", self.take(2))[0]
        return value

    def u32(self) -> int:
        value: int = struct.unpack(">I", self.take(4))[0]
        return value

    def u64(self) -> int:
        value: int = struct.unpack(">Q", self.take(8))[0]
        return value

    def rest(self) -> bytes:
        out = self._data[self._pos :]
        self._pos = len(self._data)
        return out

    def end(self) -> None:
        if self._pos != len(self._data):
            raise InvalidEnvelope("trailing bytes")


def u8(n: int) -> bytes:
    return struct.pack(">B", n)


def u16(n: int) -> bytes:
    return struct.pack(">H", n)


def u32(n: int) -> bytes:
    return struct.pack(">I", n)


def u64(n: int) -> bytes:
    return struct.pack(">Q", n)


def framed(data: bytes) -> bytes:
    """Length-prefixed, so concatenations of framed fields cannot be re-split differently."""
    return u32(len(data)) + data
