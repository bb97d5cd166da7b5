"""Start a real JupyterLab and Debian's chromium: one launcher for browser tests and benchmarks.

`running_lab(root, token)` serves `root` on 127.0.0.1 at a free port, with news and update
notices off, and stops the server's whole process group when the block ends.
`launched_chromium()` is headless /usr/bin/chromium (or $VIZFLOW_CHROMIUM) driven by Playwright.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping
from pathlib import Path

from playwright.sync_api import Browser, sync_playwright

from tests.browser.harness import LabServer

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
SERVER_START_TIMEOUT_S = 90


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _wait_for_status(url: str, token: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    """Return once the server answers /api/status; fail with its log if it exits or stalls."""
    deadline = time.monotonic() + SERVER_START_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"jupyter lab exited early; log:\n{log.read_text()[-4000:]}")
        try:
            with urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2) as reply:
                if reply.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"jupyter lab did not answer in time; log:\n{log.read_text()[-4000:]}")


def _quiet_lab_settings(settings: Path) -> None:
    """User settings for a scripted server: no news or update notices over the UI."""
    notification = (
        settings / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
    )
    notification.parent.mkdir(parents=True, exist_ok=True)
    notification.write_text(json.dumps({"fetchNews": "false", "checkForUpdates": False}))


@contextlib.contextmanager
def running_lab(
    root: Path, token: str, env: Mapping[str, str] | None = None
) -> Iterator[LabServer]:
    """`jupyter lab` serving root (its settings, workspaces and log beside it) for the block;
    env adds to the server's environment (e.g. JUPYTER_PATH to serve another build)."""
    port = free_port()
    log = root.parent / f"jupyter-lab-{port}.log"
    cmd = [
        sys.executable,
        "-m",
        "jupyter",
        "lab",
        "--no-browser",
        "--ip=127.0.0.1",
        f"--port={port}",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}",
    ]
    if os.geteuid() == 0:
        cmd.append("--allow-root")
    settings = root.parent / "settings"
    _quiet_lab_settings(settings)
    server_env = dict(
        os.environ,
        JUPYTERLAB_SETTINGS_DIR=str(settings),
        JUPYTERLAB_WORKSPACES_DIR=str(root.parent / "workspaces"),
        **(env or {}),
    )
    with log.open("wb") as out:
        proc = subprocess.Popen(
            cmd, stdout=out, stderr=subprocess.STDOUT, env=server_env, start_new_session=True
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_for_status(url, token, proc, log)
        yield LabServer(url=url, token=token, root=root)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


@contextlib.contextmanager
def launched_chromium() -> Iterator[Browser]:
    """Debian's chromium, headless, driven by Playwright (no browser download)."""
    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"{CHROMIUM} is missing: `make test` installs Debian's chromium")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
