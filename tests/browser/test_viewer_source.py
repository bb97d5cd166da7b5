"""The inspector's source link opens where a node was made: its notebook cell, or a file
at the line (in JupyterLab's file editor)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.browser.harness import LabServer, screenshot
from tests.browser.viewer_helpers import js_click, open_and_run, shared_page, write_notebook

NOTEBOOK = "viewer_source.ipynb"
HELPER = "helper_src.py"
HELPER_CODE = "import vizflow as vf\n\n\ndef build(t):\n    return t.exp()\n"
CELLS = [
    "import vizflow as vf\nt = vf.tensor([1.0, 2.0], name='t', requires_grad=True)",
    "u = t * 3",
    "import helper_src\nv = helper_src.build(u)",
    "vf.show((v + u).sum())",
]


@pytest.fixture(scope="module")
def page(browser: Browser) -> Iterator[Page]:
    yield from shared_page(browser)


@pytest.fixture(scope="module")
def source_viewer(page: Page, lab_server: LabServer) -> Locator:
    (lab_server.root / HELPER).write_text(HELPER_CODE)
    write_notebook(lab_server, NOTEBOOK, CELLS)
    return open_and_run(page, lab_server, NOTEBOOK, "source")


def inspect(v: Locator, node_id: str) -> Locator:
    """Select the node in the viewer; returns the inspector's source link."""
    js_click(v.locator(f".vf-node[data-node-id='{node_id}']"))
    expect(v.locator(f".vf-inspector-body[data-inspected='{node_id}']")).to_be_visible()
    return v.locator(".vf-inspector .vf-source-link")


def node_id_of(v: Locator, op: str) -> str:
    node = v.locator(".vf-node", has=v.page.locator(".vf-node-op", has_text=re.compile(f"^{op}")))
    expect(node).to_have_count(1)
    nid = node.get_attribute("data-node-id")
    assert nid
    return nid


def test_cell_link_makes_that_cell_active(page: Page, source_viewer: Locator) -> None:
    v = source_viewer
    active = page.locator(".jp-Notebook .jp-Cell.jp-mod-active")
    expect(active).to_contain_text("vf.show(")  # the last cell ran last
    link = inspect(v, node_id_of(v, "mul"))
    expect(link).to_have_text("In[2], line 1")
    link.click()
    expect(active).to_have_count(1)
    expect(active.locator(".jp-InputArea-editor")).to_have_text("u = t * 3")
    expect(active).to_be_in_viewport()
    screenshot(page, "viewer-source-cell")


def test_file_link_opens_the_file_at_the_line(page: Page, source_viewer: Locator) -> None:
    v = source_viewer
    link = inspect(v, node_id_of(v, "exp"))
    expect(link).to_have_text(f"{HELPER}:5")
    link.click()
    tab = page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab.jp-mod-current")
    expect(tab).to_contain_text(HELPER, timeout=30_000)
    editor = page.locator(".jp-FileEditor:visible")
    expect(editor).to_be_visible()
    # The cursor sits on line 5, the line that made the node, and that line is in view.
    line5 = editor.locator(".cm-line").nth(4)
    expect(line5).to_have_text("    return t.exp()")
    expect(line5).to_be_in_viewport()
    status = page.get_by_role("contentinfo")
    expect(status.get_by_role("button", name="Ln 5, Col 1")).to_have_count(1)
    screenshot(page, "viewer-source-file")
