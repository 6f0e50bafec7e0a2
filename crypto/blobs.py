"""Attachments (photos, PDFs) sealed in chunks under their report's data key.

A file is read and written 64 KiB at a time (libsodium secretstream), so a 10 MB photo
never sits whole in memory, in clear or sealed. Each attachment gets its own key, derived
from the report key and the attachment id, so an attachment cannot be swapped for another
of the same report. Truncation, reordering or dropping a chunk fails: the stream must end
with its final tag.

The plaintext digest that `seal_blob` returns belongs in the signed body: AEAD stops anyone
without the data key, the signed digest also stops a recipient (who holds the key) from
passing off another file as the originator's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import BinaryIO

from crypto import _format as fmt
from crypto import _primitives as p
from crypto.envelope import ReportKey
from crypto.errors import InvalidEnvelope

CHUNK_BYTES = 64 * 1024
_MAX_CHUNK_BYTES = 1024 * 1024
_KEY_PERSON = b"slthub-blob-key1"
_DIGEST_PERSON = b"slthub-blob-dgst"


@dataclass(frozen=True, slots=True)
class BlobInfo:
    size: int
    digest: str  # hex BLAKE2b-256 of the plaintext


def _blob_key(key: ReportKey, blob_id: str) -> bytes:
    if not blob_id:
        raise InvalidEnvelope("a blob needs an id")
    return p.blake2b(blob_id.encode("utf-8"), key=key._bytes(), person=_KEY_PERSON, size=32)


def seal_blob(
    source: BinaryIO,
    dest: BinaryIO,
    *,
    key: ReportKey,
    blob_id: str,
    chunk_bytes: int = CHUNK_BYTES,
) -> BlobInfo:
    if not 0 < chunk_bytes <= _MAX_CHUNK_BYTES:
        raise ValueError("chunk size out of range")
    pusher = p.StreamPusher(_blob_key(key, blob_id))
    dest.write(fmt.prefix(fmt.KIND_BLOB) + pusher.header + fmt.u32(chunk_bytes))
    hasher = p.Hasher(person=_DIGEST_PERSON)
    size = 0
    current = source.read(chunk_bytes)
    while True:
        following = source.read(chunk_bytes)
        final = not following
        hasher.update(current)
        size += len(current)
        dest.write(pusher.push(current, final=final))
        if final:
            break
        current = following
    return BlobInfo(size=size, digest=hasher.hexdigest())


def open_blob(
    source: BinaryIO,
    dest: BinaryIO,
    *,
    key: ReportKey,
    blob_id: str,
    expected_digest: str | None = None,
) -> BlobInfo:
    """Decrypt `source` into `dest`. On any error `dest` holds a partial plaintext that the
    caller must discard: nothing written before the error is known to be whole."""
    head = source.read(2 + p.STREAM_HEADER_BYTES + 4)
    fmt.check_prefix(head, fmt.KIND_BLOB)
    r = fmt.Reader(head, 2)
    stream_header = r.take(p.STREAM_HEADER_BYTES)
    chunk_bytes = r.u32()
    if not 0 < chunk_bytes <= _MAX_CHUNK_BYTES:
        raise InvalidEnvelope("chunk size out of range")
    try:
        puller = p.StreamPuller(_blob_key(key, blob_id), stream_header)
    except p.PrimitiveFailure as exc:
        raise InvalidEnvelope("not a blob of this report") from exc
    hasher = p.Hasher(person=_DIGEST_PERSON)
    size = 0
    frame_bytes = chunk_bytes + p.STREAM_TAG_BYTES
    while True:
        frame = source.read(frame_bytes)
        if not frame:
            raise InvalidEnvelope("truncated: the stream has no final chunk")
        try:
            chunk, final = puller.pull(frame)
        except p.PrimitiveFailure as exc:
            raise InvalidEnvelope("attachment altered, truncated, or not of this report") from exc
        hasher.update(chunk)
        size += len(chunk)
        dest.write(chunk)
        if final:
            break
    if source.read(1):
        raise InvalidEnvelope("trailing bytes after the final chunk")
    info = BlobInfo(size=size, digest=hasher.hexdigest())
    if expected_digest is not None and not p.equal(
        bytes.fromhex(info.digest), bytes.fromhex(expected_digest)
    ):
        raise InvalidEnvelope("attachment differs from the one the originator signed")
    return info
