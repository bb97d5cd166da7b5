"""How a debugger step reaches the page (issue 11, speed): the step a reply brings is drawn in
the task of the kernel message that brought it (not in a later task, behind frames and
JupyterLab's reaction to the kernel's status), and stepping to another node updates the
inspector's input boxes in place instead of building new ones."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.browser.harness import LabServer, open_page, screenshot
from tests.browser.lab import open_notebook, run_all_cells
from tests.browser.viewer_helpers import write_notebook

CHAIN = """\
import numpy as np
import vizflow as vf
g = vf.Graph("steps")
x = g.placeholder("x", (4, 4), "float32")
h = x
for k in range(8):
    h = h * 1.5 if k % 2 else h + x
g.output(h)
dbg = vf.debug(g, np.arange(16, dtype=np.float32).reshape(4, 4))
dbg"""

NOTEBOOK = "debugger_step_render.ipynb"

# After each DebugReply's message is handled, a task queued at once reads the step count the
# page shows: `window.__vfReplySteps`. A render left to React's scheduler runs in a task queued
# later (from the reply's promise callbacks), so this task would still see the step before.
REPLY_PROBE = """
(() => {
  window.__vfReplySteps = [];
  const text = new TextDecoder();
  const isReply = data => {
    if (!(data instanceof ArrayBuffer)) return false;
    const view = new DataView(data);
    const n = Number(view.getBigUint64(0, true));
    const at = i => Number(view.getBigUint64(8 * (i + 1), true));
    if (n < 5) return false;
    const end = n > 5 ? at(5) : data.byteLength;
    const content = JSON.parse(text.decode(new Uint8Array(data, at(4), end - at(4))));
    return content.data?.content?.kind === 'debug_reply';  // a comm message's custom content
  };
  const onmessage = Object.getOwnPropertyDescriptor(WebSocket.prototype, 'onmessage');
  Object.defineProperty(WebSocket.prototype, 'onmessage', {
    get() { return onmessage.get.call(this); },
    set(handler) {
      onmessage.set.call(this, function (event) {
        const out = handler.call(this, event);
        if (isReply(event.data)) {
          const next = new MessageChannel();
          next.port1.onmessage = () => window.__vfReplySteps.push(
            Number(document.querySelector('.vf-debugger')?.dataset.steps ?? -1));
          next.port2.postMessage(null);
        }
        return out;
      });
    }
  });
})();
"""


@pytest.fixture(scope="module")
def page(browser: Browser) -> Iterator[Page]:
    for p in open_page(browser):
        p.add_init_script(REPLY_PROBE)
        yield p


@pytest.fixture(scope="module")
def debugger(page: Page, lab_server: LabServer) -> Locator:
    write_notebook(lab_server, NOTEBOOK, [CHAIN])
    try:
        open_notebook(page, lab_server, NOTEBOOK)
        run_all_cells(page)
        d = page.locator(".vf-debugger")
        expect(d.locator(".vf-pane")).to_have_attribute("data-layout-state", "done", timeout=60_000)
    except Exception:
        screenshot(page, "FAILED-setup-debugger-step-render")
        raise
    return d


def step(d: Locator) -> int:
    """Click Step and wait until the inspector shows the node paused at, with its output's
    statistics; the step count after it."""
    steps = int(d.get_attribute("data-steps") or 0) + 1
    d.locator(".vf-dbg-btn[data-command='step']").click()
    expect(d).to_have_attribute("data-steps", str(steps), timeout=20_000)
    current = d.get_attribute("data-current")
    panel = d.locator(f".vf-dbg-node[data-inspected='{current}']")
    expect(panel.locator("[data-stats='output']")).to_be_visible(timeout=20_000)
    return steps


def test_a_step_is_drawn_in_the_task_of_its_reply(page: Page, debugger: Locator) -> None:
    step(debugger)
    page.evaluate("window.__vfReplySteps = []")
    steps = step(debugger)
    step(debugger)
    seen = page.evaluate("window.__vfReplySteps")
    assert seen == [steps, steps + 1], (
        f"the step count the page showed in the task after each reply: {seen} "
        f"(replies for steps {steps} and {steps + 1})"
    )


def test_a_step_updates_the_input_boxes_in_place(page: Page, debugger: Locator) -> None:
    first_input = debugger.locator(".vf-dbg-node .vf-dbg-input").first
    expect(first_input).to_be_visible()
    label = first_input.locator(".vf-link").text_content()
    first_input.evaluate("el => { el.dataset.probe = 'before the step'; }")
    step(debugger)
    after = debugger.locator(".vf-dbg-node .vf-dbg-input").first
    expect(after.locator(".vf-link")).not_to_have_text(label or "")
    expect(after.locator("[data-stats]")).to_be_visible()
    # The same box, now showing the next node's input (not a new box built in its place).
    expect(after).to_have_attribute("data-probe", "before the step")
    screenshot(page, "debugger-step-inputs-in-place")
