"""Every message the hub can show has its French translation (focal points often read
French first). Extracts from the code itself, so a new message without one fails here."""

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]


def _messages_in_code() -> set[str]:
    with (ROOT / "hub" / "babel.cfg").open(encoding="utf-8") as f:
        method_map, options_map = parse_mapping_cfg(f)
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords={"_": None, "gettext": None}
    ):
        found.add(message if isinstance(message, str) else message[0])
    return found


def test_every_message_has_a_french_translation() -> None:
    with (ROOT / "hub/translations/fr/LC_MESSAGES/messages.po").open(encoding="utf-8") as f:
        catalog = read_po(f)
    translated = {m.id for m in catalog if m.id and m.string}
    in_code = _messages_in_code()
    assert len(in_code) > 50
    missing = sorted(in_code - translated)
    assert not missing, "add French for: " + "; ".join(missing)
