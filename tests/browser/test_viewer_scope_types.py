"""Group headings name the module class of the graph drawn ("0 · Conv2d"), not of a model
that ran later under the same paths: a CNN traced, then shown after a 40-layer Linear+ReLU
Sequential ran, and that Sequential's eager history shown after the CNN ran again."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Locator, Page

from tests.browser.harness import LabServer, screenshot
from tests.browser.viewer_helpers import (
    DONE,
    js_click,
    open_and_run,
    shared_page,
    viewer,
    write_notebook,
)

CELLS = [
    """
import numpy as np
import vizflow as vf
from vizflow import nn

cnn = nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU(), nn.Flatten(), nn.Linear(2 * 4 * 4, 3))
img = vf.tensor(np.ones((4, 1, 6, 6), np.float32))
cnn_graph = vf.trace(cnn, img)
""",
    """
deep = nn.Sequential(*[m for _ in range(40) for m in (nn.Linear(32, 32), nn.ReLU())])
deep_tape = deep(vf.tensor(np.ones((4, 32), np.float32))).sum()
""",
    'vf.show(cnn_graph, title="cnn")',  # after the deep model ran under "0" … "79"
    'cnn(img)\nvf.show(deep_tape, title="deep")',  # after the CNN ran again under "0" … "3"
]
CNN, DEEP = range(2)


@pytest.fixture(scope="module")
def page(browser: Browser) -> Iterator[Page]:
    yield from shared_page(browser)


@pytest.fixture(scope="module")
def notebook(page: Page, lab_server: LabServer) -> Page:
    path = write_notebook(lab_server, "scope_types.ipynb", CELLS)
    open_and_run(page, lab_server, path, "scope-types")
    return page


def headings(v: Locator) -> list[str]:
    """The text of every group and frame heading the viewer draws, once its layout is done."""
    v.locator(DONE).first.wait_for()
    texts: list[str] = v.evaluate(
        """v => [...v.querySelectorAll('.vf-group-title, .vf-frame-title')]
            .map(e => e.textContent.replace(/[−+]/g, '').trim())"""
    )
    return texts


def test_a_traced_cnn_keeps_its_layer_types_after_another_model_ran(notebook: Page) -> None:
    v = viewer(notebook, CNN)
    v.locator(DONE).first.wait_for()
    v.scroll_into_view_if_needed()
    screenshot(notebook, "scope-types-cnn")  # as it opens: "0 · Conv2d" legible
    js_click(v.locator(".vf-fit"))  # every frame on screen (frames off it are not drawn)
    notebook.wait_for_timeout(400)
    texts = headings(v)
    # under the deep model's paths "0" would read Linear and "3" ReLU
    assert any(t.startswith("0 · Conv2d") for t in texts), texts
    assert any(t.startswith("3 · Linear") for t in texts), texts
    assert not any(t.startswith(("0 · Linear", "3 · ReLU")) for t in texts), texts


def test_the_deep_models_history_keeps_its_types_after_the_cnn_ran(notebook: Page) -> None:
    v = viewer(notebook, DEEP)
    texts = headings(v)
    v.scroll_into_view_if_needed()
    screenshot(notebook, "scope-types-deep")
    assert texts and any("Linear" in t for t in texts), texts
    assert not any(("Conv2d" in t or "Flatten" in t) for t in texts), texts
