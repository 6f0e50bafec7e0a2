"""deploy/: what can be checked without a machine to deploy on.

- the systemd units parse, carry their hardening, and start `slthub` commands and options
  that exist (resolved through the real CLI); `systemd-analyze verify` passes where it is
  installed;
- the environment file names only settings the hub reads;
- the nightly backup script really backs up and keeps the newest N archives;
- the nginx site passes `nginx -t` where nginx is installed, and its body size fits the
  largest report the hub accepts;
- the PostgreSQL set-up script creates a role that runs init, backup, restore and audit
  verify, and nothing more (PostgreSQL run only).

Not checked here: the units under a running systemd (the test machine has none as PID 1),
TLS from a real client, a compose file (there is none: docker's daemon is not available
where this is tested, so nothing would check it).
"""

from __future__ import annotations

import configparser
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from hub.cli import app, initialise
from hub.config import Settings
from hub.reports.attachments import AttachmentSettings
from hub.reports.schemas import ReportCreate

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
UNITS = DEPLOY / "systemd"
SERVICES = sorted(UNITS.glob("*.service"))
SLTHUB = Path(sys.executable).parent / "slthub"
INSTALLED_SLTHUB = "/opt/slthub/venv/bin/slthub"
INSTALLED_NIGHTLY = "/usr/local/bin/slthub-backup-nightly"


def unit(path: Path) -> configparser.ConfigParser:
    # systemd allows a key several times (Environment=); strict=False keeps the last, which
    # is enough to read the ones checked here.
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign] (keys are case-sensitive)
    parser.read(path, encoding="utf-8")
    return parser


def check_slthub_command(argv: list[str]) -> int:
    """Parse argv with the real CLI. --help is eager: it stops the command before it runs,
    but only after every other option was parsed, so an unknown command or option still
    fails (exit 2)."""
    result = CliRunner().invoke(app, [*argv, "--help"])
    return result.exit_code


def test_there_are_the_units_an_operator_needs() -> None:
    assert {p.name for p in UNITS.iterdir()} == {
        "slthub-web.service",
        "slthub-scheduler.service",
        "slthub-backup.service",
        "slthub-backup.timer",
    }


@pytest.mark.parametrize("path", SERVICES, ids=[p.name for p in SERVICES])
def test_each_service_is_hardened_and_reads_the_environment_file(path: Path) -> None:
    service = unit(path)["Service"]
    assert service["User"] == "slthub"
    assert service["EnvironmentFile"] == "/etc/slthub/slthub.env"
    assert service["NoNewPrivileges"] == "yes"
    assert service["ProtectSystem"] == "strict"
    assert service["PrivateTmp"] == "yes"
    assert service["ProtectHome"] == "yes"
    assert service["UMask"] == "0077"
    assert service["CapabilityBoundingSet"] == ""
    assert "/var/lib/slthub" in service["ReadWritePaths"].split()


def test_web_and_scheduler_start_real_slthub_commands() -> None:
    started = {}
    for name in ("slthub-web.service", "slthub-scheduler.service"):
        argv = shlex.split(unit(UNITS / name)["Service"]["ExecStart"])
        assert argv[0] == INSTALLED_SLTHUB
        assert check_slthub_command(argv[1:]) == 0, argv
        started[name] = argv[1:]
    assert started["slthub-web.service"][:2] == ["serve", "--no-scheduler"]
    assert started["slthub-scheduler.service"] == ["serve", "--scheduler-only"]
    # The check does catch a wrong option.
    assert check_slthub_command(["serve", "--no-such-option"]) == 2
    assert check_slthub_command(["no-such-command"]) == 2


def test_the_backup_runs_nightly_through_the_script_in_deploy() -> None:
    service = unit(UNITS / "slthub-backup.service")["Service"]
    assert service["Type"] == "oneshot"
    assert service["ExecStart"] == INSTALLED_NIGHTLY
    assert (DEPLOY / Path(INSTALLED_NIGHTLY).name).is_file()
    assert "/var/backups/slthub" in service["ReadWritePaths"].split()
    timer = unit(UNITS / "slthub-backup.timer")
    assert timer["Timer"]["Unit"] == "slthub-backup.service"
    assert timer["Timer"]["Persistent"] == "true"
    assert timer["Timer"]["OnCalendar"] == "*-*-* 02:30:00"
    assert timer["Install"]["WantedBy"] == "timers.target"
    script = (DEPLOY / "slthub-backup-nightly").read_text()
    assert re.search(r'"\$slthub" backup "\$dir/', script)
    assert check_slthub_command(["backup", "FILE"]) == 0


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze absent")
def test_systemd_analyze_verify_accepts_the_units(tmp_path: Path) -> None:
    """The installed paths are pointed at this checkout's slthub and script (verify insists
    that executables exist); everything else is verified as shipped."""
    for path in UNITS.iterdir():
        text = path.read_text()
        text = text.replace(INSTALLED_SLTHUB, str(SLTHUB))
        text = text.replace(INSTALLED_NIGHTLY, str(DEPLOY / "slthub-backup-nightly"))
        (tmp_path / path.name).write_text(text)
    result = subprocess.run(
        ["systemd-analyze", "verify", *sorted(str(p) for p in tmp_path.iterdir())],
        capture_output=True,
        text=True,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    # verify only warns about an unknown or misspelt setting; a warning is a failure here.
    for line in output.splitlines():
        assert str(tmp_path) not in line, output


def test_the_environment_file_names_only_settings_the_hub_reads() -> None:
    known = {
        f"SLTHUB_{name.upper()}"
        for model in (Settings, AttachmentSettings)
        for name in model.model_fields
    }
    script = (DEPLOY / "slthub-backup-nightly").read_text()
    names = re.findall(
        r"^#?\s*(SLTHUB_[A-Z_]+)=", (DEPLOY / "slthub.env.example").read_text(), re.M
    )
    assert "SLTHUB_DATABASE_URL" in names
    for name in names:
        assert name in known or f"${{{name}:-" in script, f"{name} is read by nothing"


def test_the_nightly_script_backs_up_and_keeps_the_newest(
    fresh_database: Any, tmp_path: Path
) -> None:
    data_dir = tmp_path / "var"
    initialise(
        Settings(_env_file=None, database_url=fresh_database.url, data_dir=data_dir)  # type: ignore[call-arg]
    )
    backups = tmp_path / "backups"
    backups.mkdir()
    older = ["slthub-2026-01-01T023000Z.tar.gz", "slthub-2026-01-02T023000Z.tar.gz"]
    bystanders = ["notes.txt", "slthub-before-upgrade.tar.gz"]
    for name in older + bystanders:
        (backups / name).write_bytes(b"an older file")
    # What a backup killed two nights ago left, and what one running now has written.
    day_old = time.time() - 2 * 86400
    stale = [backups / "slthub-2026-01-03T023000Z.tar.gz.tmp", backups / ".slthub-backup-abc"]
    running = [backups / "slthub-2026-01-04T023000Z.tar.gz.tmp", backups / ".slthub-backup-xyz"]
    for leftover in stale + running:
        if leftover.name.endswith(".tmp"):
            leftover.write_bytes(b"partial")
        else:
            leftover.mkdir()
            (leftover / "hub.db").write_bytes(b"snapshot")
    for leftover in stale:
        os.utime(leftover, (day_old, day_old))
    env = {
        **os.environ,
        "SLTHUB_BIN": str(SLTHUB),
        "SLTHUB_DATABASE_URL": fresh_database.url,
        "SLTHUB_DATA_DIR": str(data_dir),
        "SLTHUB_BACKUP_DIR": str(backups),
        "SLTHUB_BACKUP_KEEP": "2",
    }
    result = subprocess.run(
        ["sh", str(DEPLOY / "slthub-backup-nightly")],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert not any(p.exists() for p in stale)
    assert all(p.exists() for p in running)
    for leftover in running:
        shutil.rmtree(leftover) if leftover.is_dir() else leftover.unlink()
    left = sorted(p.name for p in backups.iterdir())
    new = [n for n in left if n not in older + bystanders]
    assert len(new) == 1
    assert re.fullmatch(r"slthub-\d{4}-\d\d-\d\dT\d{6}Z\.tar\.gz", new[0])
    assert (backups / new[0]).stat().st_mode & 0o777 == 0o600
    assert left == sorted([*bystanders, older[1], new[0]])
    assert f"removed {backups / older[0]}" in result.stdout

    refused = subprocess.run(
        ["sh", str(DEPLOY / "slthub-backup-nightly")],
        env={**env, "SLTHUB_BACKUP_KEEP": "0"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert refused.returncode == 2
    assert "SLTHUB_BACKUP_KEEP" in refused.stderr
    assert sorted(p.name for p in backups.iterdir()) == left


def test_nginx_lets_the_largest_report_through() -> None:
    conf = (DEPLOY / "nginx" / "slthub.conf").read_text()
    size = re.search(r"client_max_body_size (\d+)m;", conf)
    assert size is not None
    most = ReportCreate.model_fields["attachments"].metadata[0].max_length
    per_file = AttachmentSettings(_env_file=None).attachment_max_bytes  # type: ignore[call-arg]
    needed = most * per_file * 4 / 3 / 1_000_000  # base64 in the JSON API, in nginx's MB
    assert needed <= int(size.group(1)) <= needed * 1.1
    assert (
        'add_header Strict-Transport-Security "max-age=63072000; includeSubDomains" always' in conf
    )
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in conf


@pytest.mark.skipif(shutil.which("nginx") is None, reason="nginx is not installed")
def test_nginx_t_accepts_the_site(tmp_path: Path) -> None:
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
            *("-subj", "/CN=hub.example.org", "-keyout", str(key), "-out", str(cert)),
        ],
        check=True,
        capture_output=True,
    )
    site = (DEPLOY / "nginx" / "slthub.conf").read_text()
    site = site.replace("/etc/letsencrypt/live/hub.example.org/fullchain.pem", str(cert))
    site = site.replace("/etc/letsencrypt/live/hub.example.org/privkey.pem", str(key))
    (tmp_path / "site.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log stderr;\nevents {{}}\n"
        f"http {{\n  access_log off;\n  client_body_temp_path {tmp_path}/body;\n"
        f"  proxy_temp_path {tmp_path}/proxy;\n  include {tmp_path}/site.conf;\n}}\n"
    )
    result = subprocess.run(
        ["nginx", "-t", "-e", "stderr", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "syntax is ok" in result.stderr


def test_the_postgresql_setup_gives_the_hub_its_database_and_nothing_more(
    fresh_database: Any, tmp_path: Path
) -> None:
    if fresh_database.kind != "postgresql":
        pytest.skip("PostgreSQL only: run with --db=postgresql")
    import psycopg

    cluster = fresh_database.cluster
    role = f"slthub_{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "PGHOST": "127.0.0.1",
        "PGPORT": str(cluster.port),
        "PGUSER": "postgres",
        "PSQL": str(cluster.bindir / "psql"),
    }
    admin = f"host=127.0.0.1 port={cluster.port} user=postgres dbname=postgres"
    try:
        for _ in range(2):  # safe to run again
            done = subprocess.run(
                ["sh", str(DEPLOY / "postgresql" / "setup.sh"), role],
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
            assert done.returncode == 0, done.stderr

        with psycopg.connect(admin, autocommit=True) as conn:
            powers = conn.execute(
                "SELECT rolsuper, rolcreatedb, rolcreaterole, rolreplication FROM pg_roles "
                "WHERE rolname = %s",
                (role,),
            ).fetchone()
            assert powers == (False, False, False, False)
            conn.execute(f'CREATE ROLE "{role}_other" LOGIN')
            other = conn.execute(
                "SELECT has_database_privilege(%s, %s, 'CONNECT')", (f"{role}_other", role)
            ).fetchone()
            assert other == (False,)

        # The role alone runs what an operator runs: init, backup, restore, verify.
        url = f"postgresql+psycopg://{role}@127.0.0.1:{cluster.port}/{role}"
        common = ["--db", url, "--data-dir", str(tmp_path / "var"), "--json"]
        runner = CliRunner()
        for args in (
            ["init"],
            ["org", "create", "Aide Sans Frontières", "--kind", "ingo", "--approve"],
            ["backup", str(tmp_path / "hub.tar.gz")],
            ["restore", str(tmp_path / "hub.tar.gz"), "--force"],
            ["audit", "verify"],
        ):
            result = runner.invoke(app, [*args, *common])
            assert result.exit_code == 0, (args, result.output)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{role}" WITH (FORCE)')
            conn.execute(f'DROP ROLE IF EXISTS "{role}_other"')
            conn.execute(f'DROP ROLE IF EXISTS "{role}"')
