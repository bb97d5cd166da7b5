"""Helpers for the editor's browser tests: add nodes the way a person does, wire ports,
edit params, and read the editor's state from the page."""

from __future__ import annotations

from playwright.sync_api import Locator, Page, expect

EDITOR = ".vf-editor"


def editor(page: Page) -> Locator:
    """The page's (last) editor, once its palette has arrived."""
    ed = page.locator(EDITOR).last
    expect(ed.locator(".vf-palette-entry").first).to_be_attached(timeout=60_000)
    ed.scroll_into_view_if_needed()
    return ed


def version(ed: Locator) -> int:
    return int(ed.locator(".vf-editor-body").get_attribute("data-version") or 0)


def wait_version_above(ed: Locator, before: int) -> None:
    """Wait until the kernel's document has moved past `before` and no request is pending."""
    ed.page.wait_for_function(
        """([el, n]) => Number(el.getAttribute('data-version')) > n
                        && el.getAttribute('data-busy') === 'false'""",
        arg=[ed.locator(".vf-editor-body").element_handle(), before],
        timeout=30_000,
    )


def wait_idle(ed: Locator) -> None:
    expect(ed.locator(".vf-editor-body")).to_have_attribute("data-busy", "false", timeout=30_000)


def node_ids(ed: Locator) -> list[str]:
    ids: list[str] = ed.locator(".vf-edit-node").evaluate_all(
        "els => els.map(e => e.dataset.nodeId)"
    )
    return ids


def node(ed: Locator, node_id: str) -> Locator:
    return ed.locator(f".vf-edit-node[data-node-id='{node_id}']")


def quick_add(ed: Locator, key: str, x: float, y: float) -> str:
    """Double-click the canvas at (x, y) (relative to the canvas), search `key`, press Enter;
    returns the new node's id."""
    before = set(node_ids(ed))
    v = version(ed)
    pane = ed.locator(".react-flow__pane")
    pane.dblclick(position={"x": x, "y": y})
    box = ed.locator(".vf-quickadd input")
    box.fill(key)
    expect(ed.locator(".vf-quickadd .vf-palette-entry").first).to_have_attribute("data-key", key)
    box.press("Enter")
    wait_version_above(ed, v)
    new = [i for i in node_ids(ed) if i not in before]
    assert len(new) == 1, new
    return new[0]


def connect(ed: Locator, source: str, target: str, port: int) -> None:
    """Drag a wire from source's output to target's input `port` with the mouse."""
    page = ed.page
    src = node(ed, source).locator(".vf-edit-output .react-flow__handle")
    dst = node(ed, target).locator(f".vf-edit-port[data-port='{port}'] .react-flow__handle")
    a, b = src.bounding_box(), dst.bounding_box()
    assert a and b
    v = version(ed)
    page.mouse.move(a["x"] + a["width"] / 2, a["y"] + a["height"] / 2)
    page.mouse.down()
    page.mouse.move(b["x"] + b["width"] / 2, b["y"] + b["height"] / 2, steps=8)
    page.mouse.up()
    wait_version_above(ed, v)


def select(ed: Locator, node_id: str, add: bool = False) -> Locator:
    """Click a node (with Ctrl to add it to the selection); returns the inspector."""
    node(ed, node_id).locator(".vf-edit-node-head").click(modifiers=["Control"] if add else [])
    if add:
        return ed.locator(".vf-edit-inspector")
    inspector = ed.locator(f".vf-edit-inspector[data-node-id='{node_id}']")
    expect(inspector).to_be_visible()
    return inspector


def set_param(ed: Locator, node_id: str, name: str, text: str) -> None:
    """Type a param into the inspector and press Enter; waits for the kernel's new version."""
    inspector = select(ed, node_id)
    field = inspector.locator(f"[data-field='param-{name}'] input")
    assert field.input_value() != text, f"{name} is already {text}"
    v = version(ed)
    field.fill(text)
    field.press("Enter")
    wait_version_above(ed, v)


def params_of(ed: Locator, node_id: str) -> dict[str, str]:
    """The node's state and its output shape as drawn."""
    n = node(ed, node_id)
    return {
        "state": n.get_attribute("data-state") or "",
        "shape": n.locator(".vf-edit-output .vf-edit-port-shape").inner_text(),
    }


def run_code(page: Page, code: str) -> None:
    """Add a cell at the end of the notebook, type `code` into it and run it."""
    page.locator(".jp-Notebook .jp-Cell").last.locator(".jp-InputPrompt").click()
    page.keyboard.press("Escape")
    page.keyboard.press("b")
    editor_box = page.locator(".jp-Notebook .jp-Cell").last.locator(".cm-content")
    editor_box.fill(code)
    count = page.locator(".jp-Notebook .jp-Cell").count()
    page.keyboard.press("Shift+Enter")
    page.wait_for_function(
        """n => {
            const cells = [...document.querySelectorAll('.jp-Notebook .jp-Cell')];
            const p = cells[n - 1]?.querySelector('.jp-InputPrompt');
            return p && /\\[\\d+\\]/.test(p.textContent);
        }""",
        arg=count,
        timeout=60_000,
    )


def signature(ed: Locator) -> dict[str, object]:
    """What the canvas shows of the graph: nodes (name, op, output shape), wires, groups."""
    sig: dict[str, object] = ed.evaluate(
        """el => ({
            nodes: [...el.querySelectorAll('.vf-edit-node')].map(n => [
                n.dataset.nodeName,
                n.querySelector('.vf-edit-node-op').textContent,
                n.querySelector('.vf-edit-output .vf-edit-port-shape')?.textContent ?? ''
            ]).sort(),
            wires: el.querySelectorAll('.react-flow__edge').length,
            frames: [...el.querySelectorAll('.vf-edit-frame')].map(f => f.dataset.groupName).sort()
        })"""
    )
    return sig


def press(ed: Locator, keys: str, times: int = 1) -> None:
    """Press keys on the focused canvas `times` times, each answered before the next."""
    for _ in range(times):
        v = version(ed)
        ed.page.keyboard.press(keys)
        wait_version_above(ed, v)


def by_name(ed: Locator, name: str) -> Locator:
    """The node drawn for the graph node called `name`."""
    return ed.locator(f".vf-edit-node[data-node-name='{name}']")


FLOW_POSITION = """el => {
    const m = /translate\\(([-\\d.]+)px, ?([-\\d.]+)px\\)/.exec(
        el.closest('.react-flow__node').style.transform);
    return {x: Number(m[1]), y: Number(m[2])};
}"""


def flow_position(ed: Locator, name: str) -> dict[str, float]:
    """Where the canvas draws a node, in graph coordinates (independent of pan and zoom)."""
    at: dict[str, float] = by_name(ed, name).evaluate(FLOW_POSITION)
    return at


def wait_drawn_at(ed: Locator, name: str, axis: str, value: float) -> None:
    """Wait until the canvas draws node `name` with its x (or y) at `value`."""
    ed.page.wait_for_function(
        f"([el, axis, value]) => ({FLOW_POSITION})(el)[axis] === value",
        arg=[by_name(ed, name).element_handle(), axis, value],
        timeout=30_000,
    )
