"""Two dispatcher processes on one PostgreSQL: 5,000 deliveries, none sent twice, none lost.

`FOR UPDATE SKIP LOCKED` is what makes this hold; SQLite has one writer and one dispatcher
(`slthub serve`), so this test runs on PostgreSQL only (`--db=postgresql`, as CI does).
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.alerts.servers import smtp_server
from tests.alerts.test_crash import outcome, prepare, start_worker

pytestmark = pytest.mark.slow


def test_two_processes_share_5000_deliveries_without_duplicates(
    request: pytest.FixtureRequest, fresh_database: Any, hub_keys: Any
) -> None:
    if request.config.getoption("--db") != "postgresql":
        pytest.skip("several dispatcher processes need PostgreSQL (--db=postgresql)")
    url = fresh_database.url
    total = prepare(url, hub_keys, events=5, liaisons=1000)
    with smtp_server() as (controller, handler):
        workers = [start_worker(url, controller.port, lease=60.0, batch=50) for _ in range(2)]
        for process in workers:
            _, err = process.communicate(timeout=600)
            assert process.returncode == 0, err.decode()[-3000:]
        expected, lost, twice = outcome(url, [r.data for r in handler.received])
    print(f"\ntwo dispatchers: {expected} deliveries, {lost} lost, {twice} sent twice")
    assert expected == total == 5000
    assert lost == 0
    assert twice == 0
