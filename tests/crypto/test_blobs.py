import io
import tracemalloc
from pathlib import Path

import pytest

import crypto
from crypto.blobs import CHUNK_BYTES


def _seal(data: bytes, key: crypto.ReportKey, blob_id: str = "a-1", chunk: int = 1024) -> bytes:
    out = io.BytesIO()
    crypto.seal_blob(io.BytesIO(data), out, key=key, blob_id=blob_id, chunk_bytes=chunk)
    return out.getvalue()


def _open(sealed: bytes, key: crypto.ReportKey, blob_id: str = "a-1", **kw: str) -> bytes:
    out = io.BytesIO()
    crypto.open_blob(io.BytesIO(sealed), out, key=key, blob_id=blob_id, **kw)
    return out.getvalue()


@pytest.mark.parametrize("size", [0, 1, 1023, 1024, 1025, 4096, 5000])
def test_round_trip_at_chunk_edges(size: int) -> None:
    key = crypto.ReportKey.generate()
    data = bytes(i % 251 for i in range(size))
    assert _open(_seal(data, key), key) == data


def test_digest_is_checked() -> None:
    key = crypto.ReportKey.generate()
    out = io.BytesIO()
    info = crypto.seal_blob(io.BytesIO(b"photo"), out, key=key, blob_id="a-1")
    assert info.size == 5
    assert _open(out.getvalue(), key, expected_digest=info.digest) == b"photo"
    other = crypto.seal_blob(io.BytesIO(b"other"), io.BytesIO(), key=key, blob_id="a-1")
    with pytest.raises(crypto.InvalidEnvelope):
        _open(out.getvalue(), key, expected_digest=other.digest)


def test_wrong_key_or_blob_id() -> None:
    key = crypto.ReportKey.generate()
    sealed = _seal(b"x" * 3000, key)
    with pytest.raises(crypto.InvalidEnvelope):
        _open(sealed, crypto.ReportKey.generate())
    with pytest.raises(crypto.InvalidEnvelope):
        _open(sealed, key, blob_id="a-2")


def test_truncation_reordering_and_trailing_bytes() -> None:
    key = crypto.ReportKey.generate()
    sealed = _seal(b"y" * 3000, key)  # 3 frames of 1024+17 bytes after a 30-byte head
    head, frame = 30, 1024 + 17
    frames = [sealed[head + i * frame : head + (i + 1) * frame] for i in range(3)]
    with pytest.raises(crypto.InvalidEnvelope):
        _open(sealed[: head + 2 * frame], key)  # dropped final chunk
    with pytest.raises(crypto.InvalidEnvelope):
        _open(sealed[:head] + frames[1] + frames[0] + frames[2], key)
    with pytest.raises(crypto.InvalidEnvelope):
        _open(sealed + b"\0", key)
    with pytest.raises(crypto.InvalidEnvelope):
        _open(sealed[:10], key)


def test_a_10_mb_file_never_sits_whole_in_memory(tmp_path: Path) -> None:
    source = tmp_path / "photo.jpg"
    with source.open("wb") as f:
        for _ in range(160):
            f.write(bytes(range(256)) * 256)  # 10 MiB in 64 KiB writes
    key = crypto.ReportKey.generate()
    tracemalloc.start()
    try:
        with source.open("rb") as src, (tmp_path / "sealed").open("wb") as dst:
            info = crypto.seal_blob(src, dst, key=key, blob_id="p")
        with (tmp_path / "sealed").open("rb") as src, (tmp_path / "out").open("wb") as dst:
            crypto.open_blob(src, dst, key=key, blob_id="p", expected_digest=info.digest)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert info.size == 10 * 1024 * 1024
    assert (tmp_path / "out").read_bytes() == source.read_bytes()
    # A few chunks at a time, far below the 10 MiB file.
    assert peak < 8 * CHUNK_BYTES
