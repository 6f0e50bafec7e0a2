"""Attachments: checked by content (not by the name or type a client claims), sealed under the
report's data key as they are written, stored under `<data dir>/blobs/<report>/<attachment>`.

Nothing of an attachment is ever written in clear: the sealed stream goes to a temporary
file in the same directory, renamed into place once whole.
"""

from __future__ import annotations

import base64
import binascii
import io
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

from crypto import CryptoError, ReportKey, open_blob, seal_blob
from hub.errors import InvalidInput
from hub.i18n import gettext as _
from hub.reports.errors import ReportIntegrityError
from hub.reports.models import new_id
from hub.reports.schemas import AttachmentIn, AttachmentRef


class AttachmentSettings(BaseSettings):
    """`SLTHUB_ATTACHMENT_MAX_BYTES` (default 10 MB)."""

    model_config = SettingsConfigDict(env_prefix="SLTHUB_", extra="ignore")

    attachment_max_bytes: int = 10 * 1000 * 1000


# Magic numbers of the types a field report needs: photos and documents. Anything else
# (executables, archives, HTML) is refused, whatever its name says.
_SIGNATURES: tuple[tuple[bytes, int, str], ...] = (
    (b"\xff\xd8\xff", 0, "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", 0, "image/png"),
    (b"%PDF-", 0, "application/pdf"),
    (b"WEBP", 8, "image/webp"),
)


def sniff(data: bytes) -> str | None:
    for magic, offset, content_type in _SIGNATURES:
        if data[offset : offset + len(magic)] == magic:
            if content_type == "image/webp" and not data.startswith(b"RIFF"):
                continue
            return content_type
    return None


def blob_dir(data_dir: Path, report_id: str) -> Path:
    return data_dir / "blobs" / report_id


@dataclass
class Stored:
    ref: AttachmentRef
    sealed_size: int


def seal_attachments(
    items: list[AttachmentIn], *, key: ReportKey, report_id: str, data_dir: Path
) -> list[Stored]:
    """Seal each attachment to disk. On any refusal, what was written is removed."""
    if not items:
        return []
    limit = AttachmentSettings().attachment_max_bytes
    stored: list[Stored] = []
    folder = blob_dir(data_dir, report_id)
    try:
        for index, item in enumerate(items):
            field = f"attachments.{index}.content"
            # base64 is 4/3 of the bytes: refuse an oversized upload before decoding it.
            if len(item.content) > (limit + 2) // 3 * 4 + 4:
                raise InvalidInput(_too_big(limit), field=field)
            try:
                data = base64.b64decode(item.content, validate=True)
            except (binascii.Error, ValueError):
                raise InvalidInput(_("The attachment is not valid base64."), field=field) from None
            if len(data) > limit:
                raise InvalidInput(_too_big(limit), field=field)
            content_type = sniff(data)
            if content_type is None:
                raise InvalidInput(
                    _("Only photos (JPEG, PNG, WebP) and PDF documents can be attached."),
                    field=field,
                )
            attachment_id = new_id()
            folder.mkdir(parents=True, exist_ok=True)
            final = folder / attachment_id
            partial = folder / f".{attachment_id}.part"
            with partial.open("wb") as dest:
                info = seal_blob(io.BytesIO(data), dest, key=key, blob_id=attachment_id)
            os.replace(partial, final)
            stored.append(
                Stored(
                    ref=AttachmentRef(
                        id=attachment_id,
                        filename=item.filename,
                        content_type=content_type,
                        size=info.size,
                        digest=info.digest,
                    ),
                    sealed_size=final.stat().st_size,
                )
            )
    except BaseException:
        remove_report_blobs(data_dir, report_id)
        raise
    return stored


def _too_big(limit: int) -> str:
    return _("An attachment may be at most %(mb).1f MB.") % {"mb": limit / 1_000_000}


def open_attachment(data_dir: Path, *, report_id: str, ref: AttachmentRef, key: ReportKey) -> bytes:
    path = blob_dir(data_dir, report_id) / ref.id
    out = io.BytesIO()
    try:
        with path.open("rb") as source:
            open_blob(source, out, key=key, blob_id=ref.id, expected_digest=ref.digest)
    except (CryptoError, OSError) as exc:
        # `out` may hold partial plaintext; it is dropped with this frame.
        raise ReportIntegrityError(
            _("This attachment is missing or was altered since the originator signed it.")
        ) from exc
    return out.getvalue()


def remove_report_blobs(data_dir: Path, report_id: str) -> None:
    shutil.rmtree(blob_dir(data_dir, report_id), ignore_errors=True)
