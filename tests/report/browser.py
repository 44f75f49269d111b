"""Real headless Chromium for the HTML report tests (Debian package ``chromium``).

``chromium_path()`` skips the test with the reason when Chromium is absent, and fails in CI
(``CI=true``), where ``.ci/run`` installs it. ``Canary`` is a local HTTP server that records
every request: a report that makes none leaves it empty. ``page_requests`` reads Chromium's net
log for every request the page itself started, to any host (Chromium's own background traffic,
which has no ``file://`` network isolation key, is left out).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType

import pytest

FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run", "--no-default-browser-check",
         "--disable-sync", "--disable-extensions", "--hide-scrollbars", "--mute-audio",
         "--virtual-time-budget=5000")


def chromium_path() -> str:
    for name in (os.environ.get("HUNTPACK_CHROMIUM", ""), "chromium", "chromium-browser"):
        found = shutil.which(name) if name else None
        if found:
            return found
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail("CI=true but Chromium is not installed (apt-get install chromium)")
    pytest.skip("Chromium not installed (apt-get install chromium); the HTML report's browser "
                "test runs in CI")


def _run(args: list[str], profile: Path) -> str:
    command = [chromium_path(), *FLAGS, f"--user-data-dir={profile}", *args]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, f"chromium failed ({done.returncode}): {done.stderr[-2000:]}"
    return done.stdout


def dump_dom(page: Path, profile: Path, net_log: Path | None = None) -> str:
    """The DOM after the page's scripts ran (``--dump-dom``)."""
    extra = [f"--log-net-log={net_log}"] if net_log else []
    return _run([*extra, "--dump-dom", page.as_uri()], profile)


def screenshot(page: Path, profile: Path, target: Path, size: str = "1280,1600") -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    _run([f"--window-size={size}", f"--screenshot={target}", page.as_uri()], profile)
    assert target.is_file() and target.stat().st_size > 1000, "no screenshot written"
    return target


def page_requests(net_log: Path) -> list[str]:
    """URLs of the non-``file:`` requests a ``file://`` page started (from ``--log-net-log``)."""
    text = net_log.read_text(encoding="utf-8", errors="replace").rstrip()
    try:
        log = json.loads(text)
    except json.JSONDecodeError:  # Chromium may exit before closing the events list
        log = json.loads(text.rstrip(",") + "]}")
    start = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
    urls: list[str] = []
    for event in log["events"]:
        params = event.get("params") or {}
        if event["type"] != start or "url" not in params:
            continue
        from_page = str(params.get("network_isolation_key", "")).startswith("file://")
        if from_page and not str(params["url"]).startswith("file:"):
            urls.append(str(params["url"]))
    return urls


@dataclass
class Canary:
    """A local HTTP server on 127.0.0.1 that records the paths requested from it."""

    hits: list[str] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> Canary:
        hits = self.hits

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                hits.append(self.path)
                self.send_response(204)
                self.end_headers()

            do_POST = do_GET  # noqa: N815

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        assert self.server is not None
        self.server.shutdown()
        self.server.server_close()
