"""What each page weighs on the wire: the HTML and the stylesheet and scripts it links.

    python -m bench.pages

Runs `slthub init` into a temporary directory (SQLite), creates one organisation present in a
small area tree and one focal point, serves the hub on a loopback port, logs in through the
login form and fetches each page of PAGES. Prints, per page, the bytes of the HTML, of what it
links (CSS, scripts), their sum, and the sum gzip-compressed (what a proxy that compresses
would send). Focal points open these over 2G: the flash form's budget is 15 KB in all.
"""

from __future__ import annotations

import argparse
import gzip
import re
import tempfile
from pathlib import Path

import httpx
from pydantic import SecretStr
from sqlalchemy import select

from bench.hub import PASSPHRASE, _free_port, _serve, _setup
from hub.config import Settings

# Pages a logged-in focal point opens; add a page here to have it measured.
PAGES = (
    "/",
    "/reports",
    "/reports/new",
    "/reports/flash",
    "/share-requests",
    "/areas",
    "/areas/CD61",
    "/liaison",
    "/organisation/members",
    "/apply",
)

TREE_CSV = """code,name,parent,kind,name_fr,name_en
CD,RD Congo,,country,République démocratique du Congo,Democratic Republic of the Congo
CD61,Nord-Kivu,CD,admin1,,
CD6101,Beni,CD61,admin2,,
CD6102,Rutshuru,CD61,admin2,,
CD6103,Masisi,CD61,admin2,,
CD6104,Nyiragongo,CD61,admin2,,
CD6105,Walikale,CD61,admin2,,
CD6106,Lubero,CD61,admin2,,
CD62,Sud-Kivu,CD,admin1,,
CD6201,Kalehe,CD62,admin2,,
CD6202,Kabare,CD62,admin2,,
CD6203,Uvira,CD62,admin2,,
CD6204,Fizi,CD62,admin2,,
"""

_LINKED = re.compile(r'<(?:link rel="stylesheet" href|script[^>]* src)="(/static/[^"]+)"')


def _areas(settings: Settings, email: str) -> None:
    from hub.actors import CONSOLE
    from hub.areas import service as areas
    from hub.areas.importing import parse_csv
    from hub.db import make_engine, make_session_factory
    from hub.keystore import load_hub_keys
    from hub.members.models import Member

    engine = make_engine(settings.database_url)
    factory = make_session_factory(engine, signer=load_hub_keys(settings.hub_keys_path))
    with factory() as session:
        areas.import_areas(session, actor=CONSOLE, parsed=parse_csv(TREE_CSV), dataset="bench")
        member = session.scalars(select(Member).where(Member.email == email)).one()
        areas.set_presence(
            session, actor=CONSOLE, organisation_id=member.organisation_id, areas=["CD61", "CD62"]
        )
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="accepted; one fetch per page")
    parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="slthub-bench-") as tmp:
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            database_url=f"sqlite:///{Path(tmp) / 'hub.db'}",
            data_dir=Path(tmp) / "var",
            secret_key=SecretStr("bench-" + "x" * 40),
        )
        email = _setup(settings)
        _areas(settings, email)
        port = _free_port()
        server = _serve(settings, port)
        try:
            with httpx.Client(
                base_url=f"http://127.0.0.1:{port}", timeout=30, follow_redirects=True
            ) as client:
                login = client.get("/login").text
                token = re.search(r'name="csrf_token" value="([^"]+)"', login)
                assert token is not None
                answer = client.post(
                    "/login",
                    data={"email": email, "password": PASSPHRASE, "csrf_token": token.group(1)},
                )
                assert answer.status_code == 200, answer.status_code
                print(f"{'page':<22}{'html':>8}{'linked':>8}{'total':>8}{'gzip':>8}  (bytes)")
                for path in PAGES:
                    page = client.get(path)
                    assert page.status_code == 200, (path, page.status_code)
                    linked = b"".join(client.get(src).content for src in _LINKED.findall(page.text))
                    total = page.content + linked
                    print(
                        f"{path:<22}{len(page.content):>8}{len(linked):>8}{len(total):>8}"
                        f"{len(gzip.compress(page.content)) + len(gzip.compress(linked)):>8}"
                    )
        finally:
            server.should_exit = True


if __name__ == "__main__":
    main()
