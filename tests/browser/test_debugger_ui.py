"""The step-through debugger in JupyterLab (issue 11), driven as a person does: toolbar, keys,
inspector, breakpoints panel, timeline, what-if; a long run paused while another cell runs;
a page reload that reattaches. All tests share one page and one notebook (file order)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.browser.harness import LabServer, screenshot
from tests.browser.lab import KERNEL_IDLE, open_notebook, run_all_cells
from tests.browser.viewer_helpers import shared_page, write_notebook

SETUP = """\
import itertools
import numpy as np
import vizflow as vf
import vizflow.nn.functional as F
from vizflow import nn, optim

vf.manual_seed(0)
model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
opt = optim.SGD(model.parameters(), lr=0.1)

@vf.function
def train_step(x, y):
    opt.zero_grad()
    w = model[0].weight
    loss = F.cross_entropy(model(x), y) + 0.01 * (w * w).sum()  # w: two gradient terms
    loss.backward()
    opt.step()
    return loss

rng = np.random.default_rng(0)
xb = vf.tensor(rng.standard_normal((5, 4)).astype(np.float32))
yb = vf.tensor(rng.integers(0, 3, 5))
dbg = vf.debug(train_step, xb, yb)
dbg"""

NAN_MODEL = """\
vf.manual_seed(1)
net = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 2))

@vf.function
def forward(x):
    h = net(x)
    r = vf.sqrt(h - 0.5)  # the planted bug: a negative under the root makes NaN
    return r.mean()

nan_dbg = vf.debug(forward, xb)
nan_dbg"""

LONG_RUN = """\
long_dbg = vf.debug(train_step, itertools.repeat((xb, yb)), iterations=500_000)
long_dbg"""

PROBE = "print('kernel answered while the session is', long_dbg.state)"

NOTEBOOK = "debugger_ui.ipynb"
NAN_LINE = 7  # the sqrt line in NAN_MODEL


@pytest.fixture(scope="module")
def page(browser: Browser) -> Iterator[Page]:
    yield from shared_page(browser)


@pytest.fixture(scope="module")
def debuggers(page: Page, lab_server: LabServer) -> Locator:
    write_notebook(lab_server, NOTEBOOK, [SETUP, NAN_MODEL, LONG_RUN, PROBE])
    try:
        open_notebook(page, lab_server, NOTEBOOK)
        run_all_cells(page)
        dbgs = page.locator(".vf-debugger")
        expect(dbgs).to_have_count(3, timeout=60_000)
        for i in range(3):
            expect(dbgs.nth(i).locator(".vf-pane")).to_have_attribute(
                "data-layout-state", "done", timeout=60_000
            )
    except Exception:
        screenshot(page, "FAILED-setup-debugger")
        raise
    return dbgs


# The gradient notes drawn on the canvas: [parameter node's name, norm shown] for each.
CANVAS_GRADS = """
els => els.map(e => [
  e.closest('.react-flow__node').querySelector('.vf-node').title.split(' = ')[0],
  e.dataset.gradNorm
])
"""
W_NODE = ".vf-node[title^='0.weight =']"
# The gradient notes on edges: a contribution flowing into a sum, or the sum so far.
EDGE_NOTES = ".react-flow__edge.vf-edge-note .react-flow__edge-text"


def cue(d: Locator) -> Locator:
    return d.locator(".vf-dbg-state")


def button(d: Locator, command: str) -> Locator:
    return d.locator(f".vf-dbg-btn[data-command='{command}']")


def current_node(d: Locator) -> Locator:
    return d.locator(".vf-node.vf-debug-current")


def step_and_wait(d: Locator, index_before: int) -> int:
    """Click Step; wait for the cue to name the next node; the new step count."""
    button(d, "step").click()
    expect(d.locator(".vf-dbg-tick")).to_have_count(index_before + 1, timeout=20_000)
    return index_before + 1


def wait_view_settled(page: Page, d: Locator) -> None:
    """Wait until the canvas's viewport stops moving and has drawn what is now in view (edges
    off screen are not drawn, so notes read mid-move miss some)."""
    viewport = d.locator(".react-flow__viewport").first
    before = viewport.get_attribute("style")
    for _ in range(50):
        page.wait_for_timeout(100)
        now = viewport.get_attribute("style")
        if now == before:
            break
        before = now
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")


def output_stat(d: Locator, stat: str) -> Locator:
    return d.locator(f".vf-dbg-side [data-stats='output'] [data-stat='{stat}'] td")


def test_step_forward_then_backward_and_see_a_gradient_grow(page: Page, debuggers: Locator) -> None:
    d = debuggers.nth(0)
    d.scroll_into_view_if_needed()
    expect(cue(d)).to_contain_text("ready")
    expect(button(d, "step_back")).to_be_disabled()
    steps = 0
    for _ in range(5):
        steps = step_and_wait(d, steps)
        expect(cue(d)).to_contain_text("forward")
        expect(current_node(d)).to_have_count(1)
        # the canvas selects the node paused at (GraphPane's `tracked`), and only it
        expect(d.locator(".react-flow__node.selected")).to_have_count(1)
        expect(d.locator(".react-flow__node.selected .vf-debug-current")).to_have_count(1)
        expect(output_stat(d, "shape")).to_be_visible(timeout=20_000)
    screenshot(page, "debugger-forward-5")
    # Finished nodes on screen (the canvas draws only those in view) carry their value's health.
    done = d.locator(".vf-node.vf-debug-done")
    assert done.count() >= 1
    expect(d.locator(".vf-node-debug[data-debug-note='finite']").first).to_be_attached()
    # F9 (the Step key) steps while the debugger has focus, and not while typing in a field.
    d.locator(".vf-dbg-whatif-input").fill("")
    d.locator(".vf-dbg-whatif-input").press("F9")
    page.wait_for_timeout(500)
    expect(d.locator(".vf-dbg-tick")).to_have_count(steps)
    d.locator(".vf-dbg-toolbar").click(position={"x": 2, "y": 2})
    page.keyboard.press("F9")
    steps += 1
    expect(d.locator(".vf-dbg-tick")).to_have_count(steps, timeout=20_000)
    # The command palette's debugger commands act on the debugger focused last.
    page.keyboard.press("Control+Shift+C")
    palette = page.locator(".lm-CommandPalette-input")
    palette.fill("vizflow debugger: Step into")
    page.keyboard.press("Enter")
    steps += 1
    expect(d.locator(".vf-dbg-tick")).to_have_count(steps, timeout=20_000)
    # Into the backward pass: each parameter's gradient shows up, and w's grows term by term.
    grads: list[str] = []
    w_norms: list[str] = []
    canvas: list[dict[str, str]] = []
    edge_notes: list[list[str]] = []
    while "backward" not in (cue(d).text_content() or "") or len(grads) < 16:
        steps = step_and_wait(d, steps)
        text = cue(d).text_content() or ""
        assert "update" not in text, "reached the updates before seeing gradients"
        if "backward" in text:
            rows = d.locator(".vf-dbg-grads [data-grad]")
            grads.append("|".join(rows.evaluate_all("rs => rs.map(r => r.textContent)")))
            w = d.locator(".vf-dbg-grads [data-grad='0.weight'] td")
            if w.count() > 0:
                w_norms.append(w.text_content() or "")
            if w.count() > 0:  # show 0.weight on the canvas (its gradient row's link)
                d.locator(".vf-dbg-grads [data-grad='0.weight'] th button").click()
                expect(d.locator(W_NODE)).to_be_visible(timeout=20_000)
            canvas.append(dict(d.locator(".vf-node-grad").evaluate_all(CANVAS_GRADS)))
            d.locator(".vf-fit").click()  # the whole graph: the canvas draws only edges in view
            wait_view_settled(page, d)
            edge_notes.append(d.locator(EDGE_NOTES).all_text_contents())
    screenshot(page, "debugger-backward-gradients")
    assert grads[-1].count("‖g‖") >= 3, grads[-1]
    assert len(set(w_norms)) >= 3, w_norms  # 0.weight's sum grows as its terms arrive
    # On the canvas too: parameter nodes take on a gradient as the backward pass reaches them,
    # and a parameter with several terms (w) shows its norm change as each arrives.
    assert len(canvas[-1]) > len(canvas[0]), canvas
    shown: dict[str, set[str]] = {}
    for snapshot in canvas:
        for name, norm in snapshot.items():
            shown.setdefault(name, set()).add(norm)
    assert len(shown.get("0.weight", set())) >= 2, shown
    # And on the edges: each contribution on the edge it flows along into its parameter's sum,
    # and the sum so far on the edge into the update, growing as the contributions arrive.
    notes = [n for step in edge_notes for n in step]
    assert any(re.fullmatch(r"∇ \+[0-9.e+-]+", n) for n in notes), edge_notes
    sums = [n for n in notes if n.startswith("∇ Σ")]
    counts = {int(m.group(1)) for n in sums if (m := re.search(r"· (\d+)/\d+ terms", n))}
    assert len(set(sums)) >= 2 and len(counts) >= 2, edge_notes
    # Zoomed in on the sum's note (the wheel zooms the focused canvas at the pointer) to look at.
    note = d.locator(EDGE_NOTES, has_text="Σ").first
    expect(note).to_be_visible()
    box = note.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    for _ in range(6):
        page.mouse.wheel(0, -150)
        page.wait_for_timeout(100)
    expect(note).to_be_visible()
    screenshot(page, "debugger-gradient-edges")
    cue(d).click()  # back to the node paused at, as the tests below start from
    expect(d.locator(".vf-dbg-side .vf-dbg-here")).to_be_visible()


def assert_clear_of_the_minimap(d: Locator) -> None:
    """The node the session is paused at is drawn where the minimap does not cover it."""
    node = current_node(d).bounding_box()
    minimap = d.locator(".react-flow__minimap")
    shown = minimap.bounding_box() if minimap.count() else None
    assert node is not None
    if shown is not None:
        apart = (
            node["x"] + node["width"] <= shown["x"]
            or shown["x"] + shown["width"] <= node["x"]
            or node["y"] + node["height"] <= shown["y"]
            or shown["y"] + shown["height"] <= node["y"]
        )
        assert apart, (node, shown)


def test_step_back_three_restores_old_values(page: Page, debuggers: Locator) -> None:
    d = debuggers.nth(0)
    ticks = d.locator(".vf-dbg-tick")
    n = ticks.count()
    place = cue(d).text_content()
    mean = output_stat(d, "mean").text_content()
    for _ in range(3):
        n = step_and_wait(d, n)
    expect(cue(d)).not_to_have_text(place or "")
    # The timeline's tick three steps back takes the session there.
    ticks.nth(n - 4).click()
    expect(ticks).to_have_count(n - 3, timeout=20_000)
    expect(cue(d)).to_have_text(place or "")
    expect(output_stat(d, "mean")).to_have_text(mean or "", timeout=20_000)
    expect(d.locator(".vf-dbg-history")).to_contain_text("of at most 1000 values kept")
    assert_clear_of_the_minimap(d)
    screenshot(page, "debugger-step-back")
    # The node's gradient rule against finite differences on its recorded inputs.
    d.locator(".vf-dbg-gradcheck-btn").click()
    result = d.locator(".vf-dbg-gradcheck [data-gradcheck]")
    expect(result).to_contain_text("max |error|", timeout=30_000)
    error = float((result.text_content() or "").split()[2].rstrip(","))
    assert error < 1e-2, result.text_content()
    screenshot(page, "debugger-gradcheck")


def test_a_what_if_marks_downstream_stale_until_rerun(page: Page, debuggers: Locator) -> None:
    d = debuggers.nth(0)
    if button(d, "restart").is_enabled():  # after the tests above; idle when run alone
        button(d, "restart").click()
    expect(cue(d)).to_contain_text("ready", timeout=20_000)
    steps = 0
    for _ in range(4):
        steps = step_and_wait(d, steps)
    # Paused at cross_entropy: walk up its inputs in the inspector to relu and zero it.
    expect(cue(d)).to_contain_text("cross_entropy")
    before = output_stat(d, "mean").text_content()
    side = d.locator(".vf-dbg-side")
    side.locator(".vf-dbg-input .vf-link", has_text="input 0: linear_1").click()
    expect(side.locator(".vf-dbg-nodename")).to_have_text("linear_1")
    side.locator(".vf-dbg-input .vf-link", has_text="input 0: relu").click()
    expect(side.locator(".vf-dbg-nodename")).to_have_text("relu")
    side.locator(".vf-dbg-check input").uncheck()
    side.locator(".vf-dbg-whatif-input").fill("x * 0")
    side.locator(".vf-dbg-whatif-apply").click()
    expect(side.locator(".vf-dbg-result")).to_contain_text("2 nodes downstream marked stale")
    rerun = button(d, "rerun_stale")
    expect(rerun).to_have_text("Re-run 2 stale")
    cue(d).click()  # shows the node paused at: it is stale too
    expect(d.locator(".vf-node-debug[data-debug-note='stale']").first).to_be_visible()
    screenshot(page, "debugger-what-if-stale")
    rerun.click()
    expect(rerun).to_have_count(0, timeout=20_000)
    expect(d.locator(".vf-node-debug[data-debug-note='stale']")).to_have_count(0)
    # Back on the node paused at (the state cue shows it): its value was re-run from the zeroes.
    cue(d).click()
    expect(d.locator(".vf-dbg-here")).to_be_visible()
    expect(output_stat(d, "mean")).not_to_have_text(before or "", timeout=20_000)
    screenshot(page, "debugger-what-if-rerun")


def test_a_step_inside_a_collapsed_group_marks_the_group(page: Page, debuggers: Locator) -> None:
    d = debuggers.nth(0)
    d.scroll_into_view_if_needed()
    toggle = d.locator(".vf-collapse-all")
    if toggle.text_content() == "Collapse all":
        toggle.click()
    expect(toggle).to_have_text("Expand all", timeout=20_000)
    expect(d.locator(".vf-pane")).to_have_attribute("data-layout-state", "done", timeout=30_000)
    counts = d.locator(".vf-graph-counts").text_content()
    steps = d.locator(".vf-dbg-tick").count()
    if not button(d, "step").is_enabled():
        button(d, "restart").click()
        expect(cue(d)).to_contain_text("ready", timeout=20_000)
        steps = 0
    step_and_wait(d, steps)
    # The node is hidden in a collapsed group: the group is marked, and nothing is laid out again.
    inside = d.locator(".vf-group.vf-debug-current + [data-paused-inside]")
    expect(inside).to_have_count(1, timeout=20_000)
    expect(inside).to_contain_text("paused inside at")
    expect(inside).to_have_attribute("data-paused-inside", d.get_attribute("data-current") or "?")
    expect(d.locator(".vf-dbg-side .vf-dbg-here")).to_be_visible()
    assert d.locator(".vf-graph-counts").text_content() == counts
    screenshot(page, "debugger-paused-inside-group")
    # The state cue opens the group to show the node itself.
    cue(d).click()
    expect(current_node(d)).to_have_count(1, timeout=20_000)


def test_run_to_the_first_nan_names_its_producer_and_line(page: Page, debuggers: Locator) -> None:
    d = debuggers.nth(1)
    d.scroll_into_view_if_needed()
    button(d, "run_to_nan").click()
    expect(cue(d)).to_contain_text("sqrt", timeout=30_000)
    expect(cue(d)).to_contain_text("paused at")
    expect(current_node(d)).to_contain_text("sqrt")
    side = d.locator(".vf-dbg-side")
    expect(side.locator("[data-source-line]").first).to_have_attribute(
        "data-source-line", str(NAN_LINE)
    )
    expect(output_stat(d, "NaN")).not_to_have_text("0", timeout=20_000)
    # Its input is finite: the NaN was made here.
    expect(side.locator("[data-stats='input 0'] [data-stat='NaN'] td")).to_have_text("0")
    screenshot(page, "debugger-first-nan")
    # The same stop from a breakpoint added in the panel: on NaN, anywhere.
    side.locator("[role='tab']", has_text="Breakpoints").click()
    side.locator("input[aria-label='breakpoint place']").fill("")
    side.locator("select[aria-label='breakpoint condition']").select_option("nan")
    side.locator("button", has_text="Add breakpoint").click()
    expect(side.locator("[data-breakpoint]")).to_have_count(1, timeout=20_000)
    button(d, "restart").click()
    expect(cue(d)).to_contain_text("ready", timeout=20_000)
    button(d, "resume").click()
    expect(cue(d)).to_contain_text("breakpoint anywhere on NaN", timeout=30_000)
    expect(cue(d)).to_contain_text("sqrt")
    screenshot(page, "debugger-nan-breakpoint")
    side.locator("[data-breakpoint] input[type='checkbox']").click()  # the kernel toggles it
    expect(side.locator("[data-breakpoint] input[type='checkbox']")).not_to_be_checked()
    side.locator(".vf-dbg-bp-remove").click()
    expect(side.locator("[data-breakpoint]")).to_have_count(0, timeout=20_000)


def test_pause_a_long_run_while_another_cell_runs(page: Page, debuggers: Locator) -> None:
    d = debuggers.nth(2)
    d.scroll_into_view_if_needed()
    button(d, "resume").click()
    expect(cue(d)).to_contain_text("running", timeout=20_000)
    expect(button(d, "step")).to_be_disabled()
    # The kernel is free: another cell runs and answers while the session runs.
    probe = page.locator(".jp-CodeCell").nth(3)
    probe.locator(".jp-InputArea-editor").click()
    page.keyboard.press("Shift+Enter")
    expect(probe.locator(".jp-OutputArea-output")).to_contain_text(
        "kernel answered while the session is running", timeout=30_000
    )
    page.wait_for_selector(KERNEL_IDLE, timeout=30_000)
    d.scroll_into_view_if_needed()
    # Live while running: the iteration and the loss chart move on.
    expect(cue(d)).to_contain_text("running (iteration")
    expect(d.locator(".vf-dbg-loss")).to_be_visible(timeout=10_000)
    first = int(d.locator(".vf-dbg-loss").get_attribute("data-iterations") or 0)
    page.wait_for_function(
        "([el, n]) => Number(el.dataset.iterations) > n",
        arg=[d.locator(".vf-dbg-loss").element_handle(), first],
        timeout=20_000,
    )
    screenshot(page, "debugger-running")
    button(d, "pause").click()
    expect(cue(d)).to_contain_text("paused at", timeout=20_000)
    expect(cue(d)).to_contain_text("iteration")
    expect(d.locator(".vf-dbg-loss")).to_be_visible()
    screenshot(page, "debugger-paused-long-run")


def test_step_one_whole_iteration_in_training_loop_mode(page: Page, debuggers: Locator) -> None:
    d = debuggers.nth(2)  # the long run, paused by the test above
    d.scroll_into_view_if_needed()
    expect(cue(d)).to_contain_text("paused at")
    for _ in range(2):
        losses = int(d.locator(".vf-dbg-loss").get_attribute("data-iterations") or 0)
        iteration = int(re.findall(r"iteration (\d+)", cue(d).text_content() or "")[-1])
        button(d, "step_iteration").click()
        # One more loss charted; paused at the iteration's last node (its updates ran).
        expect(d.locator(".vf-dbg-loss")).to_have_attribute(
            "data-iterations", str(losses + 1), timeout=20_000
        )
        expect(cue(d)).to_contain_text("update")
        after = int(re.findall(r"iteration (\d+)", cue(d).text_content() or "")[-1])
        assert after in (iteration, iteration + 1), (iteration, after)
        assert after == losses + 1  # the cue counts as the chart: its loss is the last charted
    assert after == iteration + 1  # the second click ran the next iteration whole
    screenshot(page, "debugger-step-iteration")


def test_a_reloaded_page_reattaches_to_the_sessions(page: Page, debuggers: Locator) -> None:
    nan = debuggers.nth(1)
    if "sqrt" not in (cue(nan).text_content() or ""):  # when run alone
        button(nan, "run_to_nan").click()
        expect(cue(nan)).to_contain_text("sqrt", timeout=30_000)
    before = [cue(debuggers.nth(i)).text_content() for i in range(3)]
    # Save (a person reloads a saved notebook; an unsaved one asks before leaving), then reload.
    page.locator(".jp-CodeCell .jp-InputPrompt").first.click()
    page.keyboard.press("Control+s")
    page.wait_for_function(
        "() => !document.querySelector('.lm-TabBar-tab.jp-mod-current.jp-mod-dirty')",
        timeout=30_000,
    )
    page.reload()
    page.wait_for_selector(".jp-Notebook", timeout=60_000)
    dbgs = page.locator(".vf-debugger")
    expect(dbgs).to_have_count(3, timeout=60_000)
    for i in range(3):
        expect(cue(dbgs.nth(i))).to_have_text(re.compile(re.escape(before[i] or "?")))
    d = dbgs.nth(1)
    d.scroll_into_view_if_needed()
    expect(current_node(d)).to_contain_text("sqrt", timeout=30_000)
    screenshot(page, "debugger-reattached")
    # Still live: it restarts, and runs to a node from the node's right-click menu.
    button(d, "restart").click()
    expect(cue(d)).to_contain_text("ready", timeout=20_000)
    box = d.locator(".vf-node", has_text="sqrt").first
    box.click(button="right")
    menu = d.locator(".vf-dbg-menu")
    expect(menu).to_be_visible()
    screenshot(page, "debugger-context-menu")
    menu.locator("button", has_text="Run to here").click()
    expect(cue(d)).to_have_text(before[1] or "", timeout=20_000)
    expect(menu).to_have_count(0)
