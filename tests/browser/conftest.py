"""Browser-test harness: a real JupyterLab server and Debian's chromium via Playwright.

Every test in this folder is marked `browser`. The server runs on 127.0.0.1 with a
fixed token and a free port, serving a scratch copy of tutorials/ (so tests never
write into the repository), and is stopped by its PID when the session ends.
Screenshots go to artifacts/screenshots/ (git-ignored).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from tests.browser.harness import LabServer, open_page, screenshot
from tests.browser.launch import launched_chromium, running_lab

REPO = Path(__file__).resolve().parents[2]
TOKEN = "vizflow-browser-tests"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test under tests/browser as a browser test."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def lab_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabServer]:
    """Start `jupyter lab` on a scratch copy of tutorials/ and stop it afterwards."""
    root = tmp_path_factory.mktemp("lab") / "tutorials"
    shutil.copytree(REPO / "tutorials", root)
    with running_lab(root, TOKEN) as server:
        yield server


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's chromium, headless, driven by Playwright (no browser download)."""
    try:
        with launched_chromium() as launched:
            yield launched
    except RuntimeError as exc:
        pytest.fail(str(exc))


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
