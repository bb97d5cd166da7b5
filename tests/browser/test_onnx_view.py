"""An imported ONNX model in the viewer: a hand-built CNN whose Softmax becomes a group of
vizflow ops and whose Hardmax (no vizflow op) runs as an onnx_node, drawn distinctly."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.browser.harness import LabServer, screenshot
from tests.browser.viewer_helpers import js_click, open_and_run, shared_page, write_notebook
from tests.onnx.models import hand_cnn

CELLS = [
    "import numpy as np\nimport vizflow as vf\n"
    "g = vf.onnx.load('hand_cnn.onnx')\n"
    "x = np.random.default_rng(0).standard_normal((2, 1, 4, 4)).astype(np.float32)\n"
    "vf.show(vf.graph.specialize(g, [x.shape]), inputs=x, title='hand_cnn.onnx')",
]


@pytest.fixture(scope="module")
def page(browser: Browser) -> Iterator[Page]:
    yield from shared_page(browser)


@pytest.fixture(scope="module")
def onnx_viewer(page: Page, lab_server: LabServer) -> Locator:
    (lab_server.root / "hand_cnn.onnx").write_bytes(hand_cnn().SerializeToString())
    path = write_notebook(lab_server, "onnx_view.ipynb", CELLS)
    return open_and_run(page, lab_server, path, "onnx-view")


def test_imported_model_draws_with_its_fallback_node(page: Page, onnx_viewer: Locator) -> None:
    v = onnx_viewer
    expect(v.locator(".vf-graph-title")).to_have_text("hand_cnn.onnx")
    screenshot(page, "onnx-imported-cnn")  # as it opens, at a readable zoom
    js_click(v.locator(".vf-fit"))  # all on screen (none culled) to list every node
    page.wait_for_timeout(400)
    ops = v.locator(".vf-node .vf-node-op").all_inner_texts()
    assert any(op.startswith("conv2d") for op in ops), ops
    assert any(op.startswith("onnx_node") for op in ops), ops
    fallback = v.locator(".vf-node", has_text="onnx_node").first
    expect(fallback).to_contain_text("onehot")  # the ONNX output's name
    expect(fallback).to_have_class(re.compile(r"\bvf-cat-foreign\b"))  # drawn distinctly
    assert page.vf_errors == []  # type: ignore[attr-defined]


def test_the_fallback_node_shows_its_onnx_op_type(page: Page, onnx_viewer: Locator) -> None:
    v = onnx_viewer
    js_click(v.locator(".vf-node", has_text="onnx_node").first)
    inspector = v.locator(".vf-inspector")
    expect(inspector).to_contain_text("Hardmax")
    expect(inspector).to_contain_text("array of")  # the node's bytes summarised, not listed
    expect(inspector).not_to_contain_text("array([")
    search = v.locator(".vf-search-input")
    search.fill("onehot")
    search.press("Enter")  # centres the match at a readable zoom
    page.wait_for_timeout(400)
    screenshot(page, "onnx-fallback-inspector")
