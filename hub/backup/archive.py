"""The backup archive: a gzip'd tar whose last member, manifest.json, lists the SHA-256 and
size of every other member and is signed with the hub's key.

The manifest comes last so that each file is read once, hashed as it goes into the tar
(a blob read twice could change or vanish in between). Reading is therefore two passes:
the first hashes every member without writing anything and checks the manifest; only then
does the second extract, hashing again as it writes (the file could change in between).

Member names are a fixed vocabulary (`database.*`, `keys/<known file>`,
`blobs/<report>/<attachment>`, `manifest.json`): anything else — a path with `..`, a link,
a device — is refused before a byte is written, whatever tarfile's own filters would do.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import io
import json
import os
import re
import tarfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, BinaryIO

from hub.errors import HubError

MANIFEST = "manifest.json"
FORMAT = "slthub-backup"
FORMAT_VERSION = 1
CHUNK = 1 << 20
# Ciphertext does not compress: a middling level spends little CPU on the blobs and still
# shrinks the database's pages and indexes.
COMPRESS_LEVEL = 6
# Small members are kept in memory in the first pass; anything bigger is not one of ours.
_SMALL_LIMIT = 8 * 1024 * 1024

_NAME = re.compile(
    r"^(?:manifest\.json"
    r"|database\.(?:sqlite3|pgdump)"
    r"|keys/(?:hub-keys|smime-cert\.pem|smime-key\.pem|alerts-secret)"
    r"|blobs/[A-Za-z0-9_-]{1,100}/[A-Za-z0-9_-]{1,100})$"
)


class ArchiveError(HubError):
    """An archive that cannot be written or trusted; the message names the member."""


@dataclass(frozen=True)
class Member:
    sha256: str
    size: int

    def as_dict(self) -> dict[str, Any]:
        return {"sha256": self.sha256, "size": self.size}


class _HashingReader:
    """Hands tarfile the bytes of a file while hashing exactly those bytes."""

    def __init__(self, source: BinaryIO) -> None:
        self.source = source
        self.digest = hashlib.sha256()
        self.size = 0

    def read(self, n: int = -1) -> bytes:
        data = self.source.read(n)
        self.digest.update(data)
        self.size += len(data)
        return data


def _info(name: str, size: int, mtime: float) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size = size
    info.mtime = int(mtime)
    # Neither the operator's user names nor loose modes travel with the archive.
    info.mode = 0o600
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    return info


class ArchiveWriter:
    """Writes `<path>.tmp` (mode 0600), renamed to `path` by `finish` once whole and synced."""

    def __init__(self, path: Path, *, created_at: dt.datetime) -> None:
        self.path = path
        self.partial = path.with_name(path.name + ".tmp")
        self.mtime = created_at.timestamp()
        self.members: dict[str, Member] = {}
        # O_TRUNC over a stale .tmp from a crashed run; fchmod in case it had other modes.
        fd = os.open(self.partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.fchmod(fd, 0o600)
        self._file = os.fdopen(fd, "wb")
        self._tar = tarfile.open(  # noqa: SIM115 (closed by finish/abort)
            fileobj=self._file,
            mode="w:gz",
            compresslevel=COMPRESS_LEVEL,
            format=tarfile.PAX_FORMAT,
        )

    def add_file(self, name: str, source: Path) -> bool:
        """False when the file vanished before it could be opened (a shredded blob)."""
        try:
            handle = source.open("rb")
        except FileNotFoundError:
            return False
        with handle:
            size = os.fstat(handle.fileno()).st_size
            reader = _HashingReader(handle)
            self._tar.addfile(_info(name, size, self.mtime), reader)
        self.members[name] = Member(reader.digest.hexdigest(), reader.size)
        return True

    def add_bytes(self, name: str, data: bytes) -> None:
        self._tar.addfile(_info(name, len(data), self.mtime), io.BytesIO(data))
        self.members[name] = Member(hashlib.sha256(data).hexdigest(), len(data))

    def finish(self, manifest: dict[str, Any]) -> None:
        data = json.dumps(manifest, indent=2, sort_keys=True).encode()
        self._tar.addfile(_info(MANIFEST, len(data), self.mtime), io.BytesIO(data))
        self._tar.close()
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        os.replace(self.partial, self.path)
        _fsync_dir(self.path.parent)

    def abort(self) -> None:
        for closing in (self._tar.close, self._file.close):
            with suppress(OSError, ValueError, tarfile.TarError):
                closing()
        self.partial.unlink(missing_ok=True)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as source:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


# --- reading -----------------------------------------------------------------------------


@dataclass
class Inspected:
    """What the first pass found: the manifest, and the small key files kept in memory."""

    manifest: dict[str, Any]
    members: dict[str, Member]
    keys: dict[str, bytes] = field(default_factory=dict)


@contextmanager
def _reading(path: Path, state: dict[str, str | None]) -> Iterator[tarfile.TarFile]:
    """Turns what tarfile, gzip and zlib raise on bad input into one sentence naming where
    the archive went wrong. `state["member"]` is the member being read."""
    try:
        # gzip.open, not tarfile's "r|gz": tarfile's own stream never reads gzip's trailer,
        # so a lost end or a bad CRC would pass unnoticed. Draining to the end checks both.
        with gzip.open(path, "rb") as unzipped, tarfile.open(fileobj=unzipped, mode="r|") as tar:
            yield tar
            while unzipped.read(CHUNK):
                pass
    except ArchiveError:
        raise
    except (FileNotFoundError, PermissionError, IsADirectoryError) as exc:
        raise ArchiveError(f"{path}: cannot read it ({exc.strerror})") from None
    except (EOFError, tarfile.ReadError, zlib.error, gzip.BadGzipFile, OSError) as exc:
        where = state.get("member")
        text = str(exc) or type(exc).__name__
        truncated = isinstance(exc, EOFError) or "unexpected end" in text or "ended" in text
        if truncated:
            place = f"it ends inside {where}" if where else "it ends early"
            raise ArchiveError(f"{path}: the archive is truncated ({place})") from None
        place = f" while reading {where}" if where else ""
        raise ArchiveError(f"{path}: the archive is damaged{place} ({text})") from None


def _check_member(path: Path, info: tarfile.TarInfo, seen: set[str]) -> None:
    if not _NAME.match(info.name):
        raise ArchiveError(f"{path}: unexpected member {info.name!r}: not an slthub backup")
    if not info.isfile():
        raise ArchiveError(f"{path}: {info.name} is not a regular file: not an slthub backup")
    if info.name in seen:
        raise ArchiveError(f"{path}: {info.name} appears twice: not an slthub backup")
    seen.add(info.name)


# Ours is four levels deep; anything much deeper was crafted, and canonicalising it for the
# signature check would recurse as deep.
MAX_MANIFEST_DEPTH = 16


def _depth(value: Any) -> int:
    """How deeply `value` nests lists and objects, walked without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, level)
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, level + 1) for child in children)
    return deepest


def inspect(path: Path) -> Inspected:
    """First pass: hash every member, check them against the manifest. Writes nothing."""
    state: dict[str, str | None] = {"member": None}
    found: dict[str, Member] = {}
    small: dict[str, bytes] = {}
    seen: set[str] = set()
    with _reading(path, state) as tar:
        for info in tar:
            state["member"] = info.name
            _check_member(path, info, seen)
            keep = info.name == MANIFEST or info.name.startswith("keys/")
            if keep and info.size > _SMALL_LIMIT:
                raise ArchiveError(f"{path}: {info.name} is far too large: not an slthub backup")
            source = tar.extractfile(info)
            assert source is not None  # noqa: S101 (isfile() was checked)
            digest, size, kept = hashlib.sha256(), 0, bytearray()
            while chunk := source.read(CHUNK):
                digest.update(chunk)
                size += len(chunk)
                if keep:
                    kept += chunk
            if size != info.size:
                raise ArchiveError(f"{path}: the archive is truncated (it ends inside {info.name})")
            if keep:
                small[info.name] = bytes(kept)
            if info.name != MANIFEST:
                found[info.name] = Member(digest.hexdigest(), size)
        state["member"] = None
    if MANIFEST not in small:
        raise ArchiveError(
            f"{path}: no {MANIFEST} at the end: the archive is truncated or not an slthub backup"
        )
    try:
        manifest = json.loads(small[MANIFEST])
        if _depth(manifest) > MAX_MANIFEST_DEPTH:
            raise ValueError("nested too deep")
        listed = {
            name: Member(m["sha256"], int(m["size"])) for name, m in manifest["members"].items()
        }
    except (ValueError, KeyError, TypeError, AttributeError, RecursionError):
        # RecursionError: a crafted manifest nested thousands of levels deep (json.loads
        # recurses); refused like any other manifest that is not ours.
        raise ArchiveError(f"{path}: {MANIFEST} is not a valid manifest") from None
    if manifest.get("format") != FORMAT:
        raise ArchiveError(f"{path}: not an slthub backup (format {manifest.get('format')!r})")
    for name, expected in sorted(listed.items()):
        got = found.get(name)
        if got is None:
            raise ArchiveError(f"{path}: {name} is listed in the manifest but missing")
        if got != expected:
            raise ArchiveError(
                f"{path}: {name} does not match its SHA-256 in the manifest (damaged or altered)"
            )
    extra = sorted(set(found) - set(listed))
    if extra:
        raise ArchiveError(f"{path}: {extra[0]} is in the archive but not in the manifest")
    keys = {name.removeprefix("keys/"): data for name, data in small.items() if name != MANIFEST}
    return Inspected(manifest=manifest, members=listed, keys=keys)


Sink = Callable[[str], IO[bytes] | None]


def extract(path: Path, *, members: dict[str, Member], open_sink: Sink) -> None:
    """Second pass: hand each member to the file `open_sink(name)` returns (None skips it),
    checking its SHA-256 again. The caller removes what it staged if this raises."""
    state: dict[str, str | None] = {"member": None}
    seen: set[str] = set()
    with _reading(path, state) as tar:
        for info in tar:
            state["member"] = info.name
            _check_member(path, info, seen)
            if info.name == MANIFEST:
                continue
            try:
                sink = open_sink(info.name)
            except OSError as exc:
                raise ArchiveError(f"cannot write {info.name} while restoring: {exc}") from exc
            if sink is None:
                continue
            source = tar.extractfile(info)
            assert source is not None  # noqa: S101 (isfile() was checked)
            digest, size = hashlib.sha256(), 0
            with sink:
                while chunk := source.read(CHUNK):
                    digest.update(chunk)
                    size += len(chunk)
                    _write(sink, chunk, info.name)
                _write(sink, b"", info.name)
            if Member(digest.hexdigest(), size) != members.get(info.name):
                raise ArchiveError(
                    f"{path}: {info.name} changed while it was being restored; "
                    "is something writing to the archive?"
                )
        state["member"] = None


def _write(sink: IO[bytes], chunk: bytes, name: str) -> None:
    """A full disk is not a damaged archive: say which it is (b"" flushes and syncs)."""
    try:
        if chunk:
            sink.write(chunk)
        else:
            sink.flush()
            os.fsync(sink.fileno())
    except OSError as exc:
        raise ArchiveError(f"cannot write {name} while restoring: {exc}") from exc
