"""The inspector says when a tensor changed since its graph was recorded: a viewer shown
before `opt.step()` flags the updated weight, one shown after the step does not."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.browser.harness import LabServer, screenshot
from tests.browser.viewer_helpers import js_click, open_and_run, shared_page, viewer, write_notebook

CELLS = [
    "import vizflow as vf\n"
    "model = vf.nn.Linear(3, 2)\n"
    "opt = vf.optim.SGD(model.parameters(), lr=0.5)\n"
    "loss = model(vf.randn(4, 3)).sum()\n"
    "loss.backward()\n"
    "vf.show(loss, height='420px')",
    "opt.step()",
    "vf.show(loss, height='420px')",
]
NOTEBOOK = "viewer_value_changed.ipynb"


@pytest.fixture(scope="module")
def page(browser: Browser) -> Iterator[Page]:
    yield from shared_page(browser)


@pytest.fixture(scope="module")
def viewers(page: Page, lab_server: LabServer) -> tuple[Locator, Locator]:
    write_notebook(lab_server, NOTEBOOK, CELLS)
    after = open_and_run(page, lab_server, NOTEBOOK, "value-changed")
    return viewer(page, 0), after


def inspect_weight(v: Locator) -> Locator:
    """Select the weight node and return the inspector once it shows the weight's value."""
    v.scroll_into_view_if_needed()
    js_click(v.locator(".vf-node", has_text="weight").first)
    inspector = v.locator(".vf-inspector")
    expect(inspector.locator("[data-stats='value']")).to_be_visible(timeout=30_000)
    expect(inspector.locator(".vf-value-source")).to_have_attribute("data-source", "current")
    return inspector


def test_a_weight_updated_after_showing_says_so(
    page: Page, viewers: tuple[Locator, Locator]
) -> None:
    before_step, _ = viewers
    inspector = inspect_weight(before_step)
    expect(inspector.locator(".vf-changed")).to_have_text("changed since the graph was recorded")
    screenshot(page, "inspector-changed-since-recorded")


def test_a_viewer_shown_after_the_step_does_not(
    page: Page, viewers: tuple[Locator, Locator]
) -> None:
    _, after_step = viewers
    inspector = inspect_weight(after_step)
    expect(inspector.locator(".vf-changed")).to_have_count(0)
