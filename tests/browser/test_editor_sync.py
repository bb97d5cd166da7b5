"""The editor follows the kernel by patches in a real JupyterLab: a second view of the same
editor, opened after edits, shows them at once (it asks for the whole document), and an edit
made in Python or in either view reaches both, with the shapes the kernel inferred."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.browser.editor_helpers import by_name, run_code, select, version, wait_version_above
from tests.browser.harness import LabServer, screenshot
from tests.browser.lab import open_notebook, run_all_cells
from tests.browser.viewer_helpers import shared_page, write_notebook

NOTEBOOK = "editor_sync.ipynb"
CELLS = [
    "import vizflow as vf\ned = vf.Editor(height='380px')\ned.placeholder('x', ('batch', 4))\ned"
]


@pytest.fixture(scope="module")
def page(browser: Browser) -> Iterator[Page]:
    yield from shared_page(browser)


@pytest.fixture(scope="module")
def first(page: Page, lab_server: LabServer) -> Locator:
    write_notebook(lab_server, NOTEBOOK, CELLS)
    try:
        open_notebook(page, lab_server, NOTEBOOK)
        page.keyboard.press("Control+b")
        run_all_cells(page)
        ed = page.locator(".vf-editor").first
        expect(ed.locator(".vf-edit-node")).to_have_count(1, timeout=60_000)
        return ed
    except Exception:
        screenshot(page, "FAILED-setup-editor-sync")
        raise


def names(ed: Locator) -> list[str]:
    found: list[str] = ed.locator(".vf-edit-node").evaluate_all(
        "els => els.map(e => e.dataset.nodeName).sort()"
    )
    return found


def test_a_late_view_shows_the_edits_and_both_views_follow(page: Page, first: Locator) -> None:
    run_code(page, "ed.add('relu', 'x', name='r')\ned.add('tanh', 'r', name='t')")
    expect(first.locator(".vf-edit-node")).to_have_count(3)
    # a second view of the same widget, opened after the edits: its trait is the first document
    run_code(page, "ed")
    views = page.locator(".vf-editor")
    expect(views).to_have_count(2)
    second = views.nth(1)
    second.scroll_into_view_if_needed()
    expect(second.locator(".vf-edit-node")).to_have_count(3)
    assert names(second) == names(first) == ["r", "t", "x"]
    assert version(second) == version(first)
    t_shape = by_name(second, "t").locator(".vf-edit-output .vf-edit-port-shape")
    expect(t_shape).to_have_text("(batch, 4) float32")

    # an edit in Python reaches both views
    run_code(page, "ed.rename('t', 'renamed')")
    for ed in (first, second):
        expect(ed.locator(".vf-edit-node[data-node-name='renamed']")).to_have_count(1)

    # an edit in the second view reaches the first
    v = version(second)
    select(second, by_name(second, "r").get_attribute("data-node-id") or "")
    second.locator(".vf-edit-tool[data-action='delete']").click()
    wait_version_above(second, v)
    for ed in (first, second):
        expect(ed.locator(".vf-edit-node")).to_have_count(2)
        expect(by_name(ed, "renamed").locator(".vf-edit-error")).to_contain_text("not connected")
    assert version(first) == version(second)
    first.evaluate("el => el.scrollIntoView({block: 'start'})")
    screenshot(page, "editor-sync-two-views")
