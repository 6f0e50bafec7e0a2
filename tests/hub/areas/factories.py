"""Area trees for tests, imported through the service as a coordinator's file would be."""

from __future__ import annotations

from sqlalchemy.orm import Session

from hub.actors import CONSOLE
from hub.areas import service
from hub.areas.importing import parse_csv

TREE_CSV = """code,name,parent,kind,name_fr,name_en
CD,RD Congo,,country,République démocratique du Congo,Democratic Republic of the Congo
CD61,Nord-Kivu,CD,admin1,,
CD6102,Rutshuru,CD61,admin2,,
CD6103,Masisi,CD61,admin2,,
CD62,Sud-Kivu,CD,admin1,,
CD6201,Kalehe,CD62,admin2,,
"""


def make_tree(session: Session) -> None:
    service.import_areas(session, actor=CONSOLE, parsed=parse_csv(TREE_CSV), dataset="test")
