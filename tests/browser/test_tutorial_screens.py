"""Every tutorial, run in a real JupyterLab, draws its first graph: a screenshot of each
(artifacts/screenshots/tutorial-<name>.png) to judge by eye.

Exercise solutions are cells with hidden input, which show no execution count: they count
as run once they have an output (every solution prints or draws something).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.harness import LabServer, screenshot
from tests.browser.lab import KERNEL_IDLE, open_notebook

TUTORIALS = sorted((Path(__file__).resolve().parents[2] / "tutorials").glob("*.ipynb"))
# an exception's output is rendered as its traceback, as stderr
STDERR_OUTPUT = ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"
RUN_TIMEOUT_MS = 240_000


def run_all_cells_with_hidden(page: Page) -> None:
    """Run All from the Run menu; wait until each shown cell has an execution count and each
    hidden-input cell an output, then for the kernel to be idle."""
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()
    page.wait_for_function(
        """() => {
            const cells = [...document.querySelectorAll('.jp-CodeCell')];
            return cells.length > 0 && cells.every(cell =>
                cell.querySelector('.jp-InputPlaceholder')
                    ? cell.querySelector('.jp-OutputArea-child') !== null
                    : /\\[\\d+\\]/.test(cell.querySelector('.jp-InputPrompt')?.textContent ?? ''));
        }""",
        timeout=RUN_TIMEOUT_MS,
    )
    page.wait_for_selector(KERNEL_IDLE, timeout=RUN_TIMEOUT_MS)


@pytest.mark.parametrize("notebook", TUTORIALS, ids=[p.stem for p in TUTORIALS])
def test_tutorial_draws_its_first_graph(page: Page, lab_server: LabServer, notebook: Path) -> None:
    open_notebook(page, lab_server, notebook.name)
    run_all_cells_with_hidden(page)
    errors = page.locator(STDERR_OUTPUT, has_text="Traceback")
    assert errors.count() == 0, f"{notebook.name} shows an error: {errors.first.inner_text()}"
    first = page.locator(".vf-graph-viewer").first
    expect(first.locator(".vf-pane").first).to_have_attribute(
        "data-layout-state", "done", timeout=60_000
    )
    for _ in range(2):  # outputs above may still grow (figures, other graphs): settle, then align
        first.evaluate("e => e.scrollIntoView({block: 'start'})")
        page.wait_for_timeout(500)
    drawn = first.locator(".vf-node").count()
    assert drawn >= 3, f"the first graph of {notebook.name} drew {drawn} nodes"
    screenshot(page, f"tutorial-{notebook.stem}")
    assert page.vf_errors == []  # type: ignore[attr-defined]
