"""Run JupyterLab's own `browser_check` against Debian's chromium.

`python -m jupyterlab.browser_check` installs the npm `playwright` package and then
runs `playwright install chromium`, which downloads a browser: impossible here. This
script installs the npm package itself, then lays the system chromium where that
playwright expects its browsers (a small launcher per browser, plus the marker files
that say "installed"), so the install step finds nothing to do and the check runs
against /usr/bin/chromium. Usage: python tests/browser/browser_check.py [--allow-root]
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from jupyterlab.commands import get_app_dir

SYSTEM_CHROMIUM = Path(os.environ.get("VIZFLOW_CHROMIUM", "/usr/bin/chromium"))
QUIET_FLAGS = (
    "--disable-background-networking --disable-component-update --disable-sync "
    "--disable-quic --no-first-run --disable-gpu"
)
# The executable each playwright browser directory must hold, relative to it.
EXECUTABLES = {
    "chromium": "chrome-linux64/chrome",
    "chromium_headless_shell": "chrome-headless-shell-linux64/chrome-headless-shell",
    "ffmpeg": "ffmpeg-linux",
}


def _run(cmd: list[str], cwd: Path, env: dict[str, str]) -> str:
    result = subprocess.run(cmd, cwd=cwd, env=env, check=True, capture_output=True, text=True)
    return result.stdout


def _prepare_npm_playwright(target: Path, env: dict[str, str]) -> None:
    """Install the npm package browser_check would install (it skips this when present)."""
    if (target / "node_modules" / "playwright").exists():
        return
    target.mkdir(parents=True, exist_ok=True)
    _run(["npm", "init", "-y"], target, env)
    _run(["npm", "install", "--no-audit", "--no-fund", "playwright@^1.9.2"], target, env)


def _launcher(path: Path, is_ffmpeg: bool) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if is_ffmpeg:
        body = "#!/bin/sh\nexit 0\n"
    else:
        body = f'#!/bin/sh\nexec {SYSTEM_CHROMIUM} {QUIET_FLAGS} "$@"\n'
    path.write_text(body)
    path.chmod(0o755)


def _lay_out_browsers(target: Path, env: dict[str, str]) -> None:
    """Put launchers for the system chromium where playwright looks for its browsers."""
    listing = _run(["npx", "playwright", "install", "--dry-run", "chromium"], target, env)
    for location in re.findall(r"Install location:\s+(\S+)", listing):
        directory = Path(location)
        kind = directory.name.rsplit("-", 1)[0]
        if kind not in EXECUTABLES:
            raise SystemExit(f"browser_check: unknown playwright browser directory {directory}")
        _launcher(directory / EXECUTABLES[kind], is_ffmpeg=kind == "ffmpeg")
        (directory / "INSTALLATION_COMPLETE").touch()
        (directory / "DEPENDENCIES_VALIDATED").touch()


def main() -> int:
    """Prepare the browser, then hand over to jupyterlab.browser_check."""
    if not SYSTEM_CHROMIUM.exists() or shutil.which("npx") is None:
        print(f"browser_check needs {SYSTEM_CHROMIUM} and npx", file=sys.stderr)
        return 2
    target = Path(get_app_dir()) / "browser_test"
    env = dict(os.environ)
    env["PLAYWRIGHT_BROWSERS_PATH"] = str(target / "browsers")
    _prepare_npm_playwright(target, env)
    _lay_out_browsers(target, env)
    cmd = [sys.executable, "-m", "jupyterlab.browser_check", *sys.argv[1:]]
    return subprocess.call(cmd, env=env)


if __name__ == "__main__":
    sys.exit(main())
