"""Graph files (*.vfg.json) as JupyterLab documents in the editor (issue 12): open, edit, save,
close, reopen equal; a corrupt file gets a clear message; New → vizflow graph from the launcher.

The tests share one page and run in file order.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.browser.editor_helpers import select, signature, version, wait_version_above
from tests.browser.harness import LabServer, screenshot
from tests.browser.lab import dismiss_notices, reset_workspace
from tests.browser.viewer_helpers import shared_page

FILE = "doc_mlp.vfg.json"
DOC = ".vf-editor-document"


@pytest.fixture(scope="module")
def page(browser: Browser) -> Iterator[Page]:
    yield from shared_page(browser)


def write_graph(root: Path) -> None:
    """A small graph with a group and a variable holding values (so it has a .npz sidecar)."""
    import vizflow as vf

    ed = vf.Editor()
    x = ed.placeholder("x", ("batch", 4))
    w = ed.variable("w", (4, 3), init="normal")
    b = ed.variable("b", value=np.arange(3, dtype=np.float32))
    m = ed.add("matmul", x, w, name="logits")
    a = ed.add("add", m, b, name="biased")
    r = ed.add("relu", a, name="act")
    ed.group([m, a], "dense")
    ed.set_outputs(r)
    ed.save(str(root / FILE))


def open_document(page: Page, server: LabServer, path: str) -> Locator:
    """Open a file in a fresh workspace; returns its document panel."""
    reset_workspace(server)
    page.goto(server.lab_url(path))
    panel = page.locator(DOC)
    expect(panel).to_be_visible(timeout=60_000)
    dismiss_notices(page)
    return panel


def test_a_graph_file_opens_in_the_editor(page: Page, lab_server: LabServer) -> None:
    write_graph(lab_server.root)
    assert (lab_server.root / "doc_mlp.npz").exists()
    doc = open_document(page, lab_server, FILE)
    expect(doc.locator(".vf-edit-node")).to_have_count(6, timeout=60_000)
    expect(doc.locator(".vf-edit-frame[data-group-name='dense']")).to_have_count(1)
    expect(doc.locator(".vf-edit-node[data-node-name='act']")).to_have_attribute(
        "data-state", "valid"
    )
    screenshot(page, "editor-document-open")


def tab(page: Page) -> Locator:
    return page.locator(".lm-TabBar-tab", has_text=FILE)


def test_edit_save_close_and_reopen_equal(page: Page, lab_server: LabServer) -> None:
    doc = page.locator(DOC)
    ed = doc.locator(".vf-editor")
    act = doc.locator(".vf-edit-node[data-node-name='act']").get_attribute("data-node-id")
    assert act
    field = select(ed, act).locator("[data-field='name'] input")
    v = version(ed)
    field.fill("activation")
    field.press("Enter")
    wait_version_above(ed, v)
    page.wait_for_function(
        "() => [...document.querySelectorAll('.lm-TabBar-tab')]"
        ".some(t => t.textContent.includes('doc_mlp') && t.classList.contains('jp-mod-dirty'))",
        timeout=10_000,
    )
    doc.locator(".react-flow__pane").click(position={"x": 20, "y": 400})
    page.keyboard.press("Control+s")
    page.wait_for_function(
        "() => [...document.querySelectorAll('.lm-TabBar-tab')]"
        ".some(t => t.textContent.includes('doc_mlp') && !t.classList.contains('jp-mod-dirty'))",
        timeout=20_000,
    )
    assert '"activation"' in (lab_server.root / FILE).read_text()
    saved = signature(ed)
    tab(page).locator(".lm-TabBar-tabCloseIcon").click()
    expect(page.locator(DOC)).to_have_count(0)
    doc = open_document(page, lab_server, FILE)
    expect(doc.locator(".vf-edit-node")).to_have_count(6, timeout=60_000)
    assert signature(doc.locator(".vf-editor")) == saved
    expect(doc.locator(".vf-edit-node[data-node-name='activation']")).to_have_count(1)
    screenshot(page, "editor-document-reopened")


def test_a_corrupt_file_gets_a_clear_message(page: Page, lab_server: LabServer) -> None:
    good = (lab_server.root / FILE).read_text()
    (lab_server.root / "broken.vfg.json").write_text(good.replace('"matmul"', '"no_such_op"'))
    doc = open_document(page, lab_server, "broken.vfg.json")
    alert = doc.locator(".vf-editor-message[role='alert']")
    expect(alert).to_be_visible(timeout=60_000)
    expect(alert).to_contain_text("not a vizflow graph")
    expect(alert).to_contain_text("no_such_op")
    expect(doc.locator(".vf-edit-node")).to_have_count(0)
    screenshot(page, "editor-document-corrupt")


def test_new_vizflow_graph_from_the_launcher(page: Page, lab_server: LabServer) -> None:
    reset_workspace(lab_server)
    page.goto(lab_server.lab_url())
    card = page.locator(".jp-LauncherCard", has_text="vizflow graph")
    expect(card).to_be_visible(timeout=60_000)
    card.click()
    doc = page.locator(DOC)
    expect(doc.locator(".vf-palette-entry").first).to_be_attached(timeout=60_000)
    expect(doc.locator(".vf-editor-hint")).to_be_visible()
    screenshot(page, "editor-document-new")
