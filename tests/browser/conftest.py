"""Browser-test harness: a real JupyterLab server and Debian's chromium via Playwright.

Every test in this folder is marked `browser`. The server runs on 127.0.0.1 with a
fixed token and a free port, serving a scratch copy of tutorials/ (so tests never
write into the repository), and is stopped by its PID when the session ends.
Screenshots go to artifacts/screenshots/ (git-ignored).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, Playwright, sync_playwright

from tests.browser.harness import LabServer, open_page, screenshot

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("VIZFLOW_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
TOKEN = "vizflow-browser-tests"
SERVER_START_TIMEOUT_S = 90


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test under tests/browser as a browser test."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _wait_for_status(url: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"jupyter lab exited early; log:\n{log.read_text()[-4000:]}")
        try:
            with urllib.request.urlopen(f"{url}/api/status?token={TOKEN}", timeout=2) as reply:
                if reply.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"jupyter lab did not answer in time; log:\n{log.read_text()[-4000:]}")


def _quiet_lab_settings(settings: Path) -> None:
    """User settings for the test server: no news or update notices over the UI."""
    notification = (
        settings / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
    )
    notification.parent.mkdir(parents=True, exist_ok=True)
    notification.write_text(json.dumps({"fetchNews": "false", "checkForUpdates": False}))


@pytest.fixture(scope="session")
def lab_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabServer]:
    """Start `jupyter lab` on a scratch copy of tutorials/ and stop it afterwards."""
    root = tmp_path_factory.mktemp("lab") / "tutorials"
    shutil.copytree(REPO / "tutorials", root)
    port = _free_port()
    log = root.parent / "jupyter-lab.log"
    cmd = [
        sys.executable,
        "-m",
        "jupyter",
        "lab",
        "--no-browser",
        "--ip=127.0.0.1",
        f"--port={port}",
        f"--IdentityProvider.token={TOKEN}",
        f"--ServerApp.root_dir={root}",
    ]
    if os.geteuid() == 0:
        cmd.append("--allow-root")
    settings = root.parent / "settings"
    _quiet_lab_settings(settings)
    env = dict(
        os.environ,
        JUPYTERLAB_SETTINGS_DIR=str(settings),
        JUPYTERLAB_WORKSPACES_DIR=str(root.parent / "workspaces"),
    )
    with log.open("wb") as out:
        proc = subprocess.Popen(
            cmd, stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_for_status(url, proc, log)
        yield LabServer(url=url, token=TOKEN, root=root)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's chromium, headless, driven by Playwright (no browser download)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium")
    with sync_playwright() as playwright_ctx:
        pw: Playwright = playwright_ctx
        launched = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Keep a screenshot of the page when a browser test fails (artifacts/screenshots/)."""
    report = yield
    if report.when == "call" and report.failed:
        open_page = item.funcargs.get("page") if hasattr(item, "funcargs") else None
        if open_page is not None:
            screenshot(open_page, f"FAILED-{item.name}")
    return report


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh page with a desktop-sized viewport; JS errors and dialogs are collected on it."""
    yield from open_page(browser)
