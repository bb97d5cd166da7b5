"""Where the viewer lays out: in its web worker, or on the main thread if the worker cannot load."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, expect

from tests.browser.harness import LabServer, open_page, screenshot
from tests.browser.viewer_helpers import SCOPED_PAYLOAD, open_and_run, write_notebook

CELLS = [
    SCOPED_PAYLOAD,
    "from vizflow_kernelext import GraphViewer\n"
    "GraphViewer(scoped_payload(blocks=3), height='480px')",
]
LAYOUT_SCRIPT = "**/vizflow-layout.*"


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    yield from open_page(browser)


def test_layout_runs_in_the_worker(page: Page, lab_server: LabServer) -> None:
    workers: list[str] = []
    page.on("worker", lambda worker: workers.append(worker.url))
    path = write_notebook(lab_server, "viewer_worker.ipynb", CELLS)
    v = open_and_run(page, lab_server, path, "layout-worker")
    expect(v).to_have_attribute("data-layout-state", "done", timeout=60_000)
    assert v.locator(".vf-node, .vf-group").count() > 0
    assert any(url.rsplit("/", 1)[-1].startswith("vizflow-layout.") for url in workers), workers


def test_blocked_worker_falls_back_to_the_main_thread(page: Page, lab_server: LabServer) -> None:
    console: list[str] = []

    def keep(message: ConsoleMessage) -> None:
        console.append(message.text)

    page.on("console", keep)
    page.route(LAYOUT_SCRIPT, lambda route: route.abort())
    path = write_notebook(lab_server, "viewer_worker_blocked.ipynb", CELLS)
    v = open_and_run(page, lab_server, path, "layout-main-thread")
    expect(v).to_have_attribute("data-layout-state", "done", timeout=60_000)
    assert v.locator(".vf-node, .vf-group").count() > 0
    assert any("laying out on the main thread" in text for text in console), console
    screenshot(page, "viewer-layout-main-thread")
