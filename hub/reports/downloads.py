"""The answer to an attachment download, the same for the API and the pages: always a
download (never rendered in the hub's origin), named as its author named it, not cached."""

from __future__ import annotations

from urllib.parse import quote

from starlette.responses import Response

from hub.reports.reading import AttachmentFile


def attachment_response(found: AttachmentFile) -> Response:
    return Response(
        found.data,
        media_type=found.content_type,
        headers={
            # The name is the author's, percent-encoded (RFC 6266), so it cannot break out of
            # the header.
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(found.filename)}",
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "no-store",
        },
    )
