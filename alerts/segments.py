"""SMS segment counting (GSM 03.38 / 3GPP TS 23.038) and fitting a text into N segments.

Guarantees: `count_segments` gives the number of concatenated-SMS parts a gateway will bill
for a text, counting exactly as handsets do — GSM-7 when every character is in the default
alphabet or its extension table (extension characters cost two septets, an escape plus the
character), else UCS-2 counted in UTF-16 code units (a character outside the BMP costs two).
A part boundary never falls inside an escape pair or a surrogate pair: those move whole to
the next part, which is why a text of 153 × 2 septets can still need three parts.

`fit_text` shortens one variable piece of a message (the author's alert summary) until the
whole rendered message fits, cutting at a word boundary when one is near and marking the cut
with an ellipsis that does not itself force UCS-2 on a GSM-7 text. Python strings index code
points, so a cut never splits a surrogate pair or an escape.

Against: alerts that a gateway silently splits into three or more parts (billed, sometimes
delivered out of order or truncated by carriers), and French accents that are not in GSM-7
("é" is, "ê" is not) quietly halving the room.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

# GSM 03.38 default alphabet (the 128 characters of the basic table, with "\x1b" — the escape
# to the extension table — left out because it is never a character of its own in our text).
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# Extension table: each costs an escape septet plus its own.
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")

GSM7_SINGLE = 160
GSM7_PART = 153  # 7 septets of each part go to the concatenation header
UCS2_SINGLE = 70
UCS2_PART = 67


class Encoding(StrEnum):
    GSM7 = "gsm7"
    UCS2 = "ucs2"


@dataclass(frozen=True, slots=True)
class SegmentCount:
    encoding: Encoding
    units: int  # septets for GSM-7, UTF-16 code units for UCS-2
    segments: int


# Typography that word processors and phones put in a summary but GSM-7 lacks; one "’" would
# otherwise switch the whole SMS to UCS-2 and halve its room. Letters are never replaced:
# "ê" stays "ê" even though it costs the switch, because changing words changes meaning.
_GSM_FRIENDLY = str.maketrans(
    {
        "’": "'",
        "‘": "'",
        "‚": "'",
        "“": '"',
        "”": '"',
        "„": '"',
        "«": '"',
        "»": '"',
        "–": "-",
        "—": "-",
        "‐": "-",
        "‑": "-",
        "−": "-",
        "…": "...",
        "\u00a0": " ",
        "\u202f": " ",
        "\u2009": " ",
        "\t": " ",
    }
)


def gsm_friendly(text: str) -> str:
    """Replace typographic punctuation that has a plain GSM-7 equivalent."""
    return text.translate(_GSM_FRIENDLY)


def is_gsm7(text: str) -> bool:
    return all(ch in GSM7_BASIC or ch in GSM7_EXTENSION for ch in text)


def _unit_costs(text: str) -> tuple[Encoding, list[int]]:
    if is_gsm7(text):
        return Encoding.GSM7, [2 if ch in GSM7_EXTENSION else 1 for ch in text]
    return Encoding.UCS2, [2 if ord(ch) > 0xFFFF else 1 for ch in text]


def split_parts(text: str) -> list[str]:
    """The parts a sending handset or gateway makes of `text`, in order."""
    encoding, costs = _unit_costs(text)
    single, part = (
        (GSM7_SINGLE, GSM7_PART) if encoding is Encoding.GSM7 else (UCS2_SINGLE, UCS2_PART)
    )
    if sum(costs) <= single:
        return [text] if text else []
    parts: list[str] = []
    start, used = 0, 0
    for i, cost in enumerate(costs):
        # A two-unit character that does not fit whole starts the next part: an escape or a
        # surrogate split across parts would arrive as garbage.
        if used + cost > part:
            parts.append(text[start:i])
            start, used = i, 0
        used += cost
    parts.append(text[start:])
    return parts


def count_segments(text: str) -> SegmentCount:
    encoding, costs = _unit_costs(text)
    units = sum(costs)
    single = GSM7_SINGLE if encoding is Encoding.GSM7 else UCS2_SINGLE
    if units <= single:
        return SegmentCount(encoding, units, 1 if units else 0)
    # Not ceil(units / part): a two-unit character never straddles parts, so the exact
    # count comes from splitting.
    return SegmentCount(encoding, units, len(split_parts(text)))


def fits(text: str, max_segments: int) -> bool:
    return count_segments(text).segments <= max_segments


class SmsTooLong(ValueError):
    """Even with the variable part empty the message does not fit: the fixed parts (the
    liaison's phrase, the link) are longer than the designation limits allow."""


ELLIPSIS_UCS2 = "…"
ELLIPSIS_GSM7 = "..."  # "…" is not in GSM-7; using it would force UCS-2 on the whole text
WORD_CUT_SLACK = 12  # give back at most this many characters to cut at a space


def _shorten(piece: str, keep: int, render: Callable[[str], str]) -> str:
    cut = piece[:keep]
    space = cut.rfind(" ")
    if space >= max(1, keep - WORD_CUT_SLACK):
        cut = cut[:space]
    cut = cut.rstrip(" ,;:-–—")
    if not cut:
        return ""
    gsm = is_gsm7(render(cut + ELLIPSIS_GSM7))
    return cut + (ELLIPSIS_GSM7 if gsm else ELLIPSIS_UCS2)


def fit_text(render: Callable[[str], str], piece: str, max_segments: int = 2) -> str:
    """Render with `piece` shortened just enough that the result fits `max_segments`.

    `render` builds the whole message around the piece; it must be prefix-monotone (a longer
    piece never gives fewer segments), which any template that inserts the piece verbatim is.
    Raises SmsTooLong when the message does not fit even with the piece dropped.
    """
    whole = render(piece)
    if fits(whole, max_segments):
        return whole
    if not fits(render(""), max_segments):
        raise SmsTooLong(f"message does not fit {max_segments} segments without its summary")
    lo, hi = 0, len(piece)  # longest prefix whose shortened rendering fits
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if fits(render(_shorten(piece, mid, render)), max_segments):
            lo = mid
        else:
            hi = mid - 1
    return render(_shorten(piece, lo, render))
