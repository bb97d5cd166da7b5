"""Exporting a graph whose names XML cannot hold: the SVG download parses and shows each
bad character as a visible escape, and the PNG download is an image.

The graph comes from a saved notebook, shown without running it. Lone surrogates cannot
get this far (Jupyter's server cannot open a notebook holding one, and the kernel escapes
them before sending, see wire_text.py); labextension/test/svgText.spec.ts covers them."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator

import nbformat
import pytest
from playwright.sync_api import Browser, Locator, Page, expect

import vizflow as vf
from tests.browser.harness import LabServer, screenshot
from tests.browser.lab import open_notebook
from tests.browser.viewer_helpers import js_click, shared_page
from vizflow_kernelext import PROTOCOL_VERSION, payload_from_tensor
from vizflow_kernelext.payload.compact import encode

NAME = "bell\x07 \ufffe|\uffff|\x1b"
SHOWN = "bell\\x07 \\ufffe|\\uffff|\\x1b"
NOTEBOOK = "export_text.ipynb"
GRAPH_MIME = "application/vnd.vizflow.graph+json"
SVG_TEXT = "{http://www.w3.org/2000/svg}text"


@pytest.fixture(scope="module")
def page(browser: Browser) -> Iterator[Page]:
    yield from shared_page(browser)


@pytest.fixture(scope="module")
def saved_viewer(page: Page, lab_server: LabServer) -> Locator:
    x = vf.tensor([1.0, 2.0], requires_grad=True, name=NAME)
    graph = encode(payload_from_tensor((x * 2.0).sum()))
    bundle = {"version": PROTOCOL_VERSION, "graph": graph, "compare": None, "model_id": None}
    output = nbformat.v4.new_output("display_data", data={GRAPH_MIME: bundle})
    cell = nbformat.v4.new_code_cell("# a saved output", outputs=[output])
    nb = nbformat.v4.new_notebook(cells=[cell])
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, lab_server.root / NOTEBOOK)
    open_notebook(page, lab_server, NOTEBOOK)
    found = page.locator(".vf-graph-viewer").first
    expect(found.locator(".vf-pane")).to_have_attribute("data-layout-state", "done", timeout=60_000)
    found.scroll_into_view_if_needed()
    return found


def test_svg_export_parses_and_shows_bad_characters_escaped(
    page: Page, saved_viewer: Locator
) -> None:
    with page.expect_download() as info:
        js_click(saved_viewer.locator(".vf-toolbar button", has_text="SVG"))
    root = ET.fromstring(info.value.path().read_bytes())  # well-formed XML 1.0, or this raises
    texts = ["".join(t.itertext()) for t in root.iter(SVG_TEXT)]
    assert SHOWN in texts, texts
    screenshot(page, "export-text-escaped")


def test_png_export_of_bad_characters_is_an_image(page: Page, saved_viewer: Locator) -> None:
    with page.expect_download() as info:
        js_click(saved_viewer.locator(".vf-toolbar button", has_text="PNG"))
    data = info.value.path().read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 1_000
    assert not page.vf_errors, page.vf_errors  # type: ignore[attr-defined]
