"""Measurements of what a graph viewer draws: zoom, text size on screen, nodes in view, overlap."""

from __future__ import annotations

from playwright.sync_api import Locator

# Smallest node text, in CSS pixels on screen, a graph may open with.
MIN_TEXT_PX = 11.0


def zoom(pane: Locator) -> float:
    """The canvas's zoom (the scale of React Flow's viewport transform)."""
    z: float = pane.locator(".react-flow__viewport").evaluate(
        "e => new DOMMatrix(getComputedStyle(e).transform).a"
    )
    return z


def smallest_text_px(pane: Locator) -> float:
    """The smallest node text on screen: each drawn label's font size times the zoom."""
    px: float = pane.evaluate(
        """p => {
            const z = new DOMMatrix(getComputedStyle(
                p.querySelector('.react-flow__viewport')).transform).a;
            const labels = [...p.querySelectorAll(
                '.vf-node-op, .vf-node-name, .vf-node-shape, .vf-group-name')];
            if (labels.length === 0) return 0;
            return Math.min(...labels.map(
                l => parseFloat(getComputedStyle(l).fontSize) * z));
        }"""
    )
    return px


def nodes_in_view(pane: Locator) -> int:
    """How many node or group boxes lie wholly inside the canvas's box."""
    n: int = pane.evaluate(
        """p => {
            const c = p.querySelector('.vf-graph-canvas').getBoundingClientRect();
            return [...p.querySelectorAll('.vf-node, .vf-group')].filter(e => {
                const b = e.getBoundingClientRect();
                return b.width > 0 && b.left >= c.left - 1 && b.right <= c.right + 1
                    && b.top >= c.top - 1 && b.bottom <= c.bottom + 1;
            }).length;
        }"""
    )
    return n


def box(target: Locator) -> dict[str, float]:
    """The element's box on the page."""
    b: dict[str, float] = target.evaluate(
        "e => { const r = e.getBoundingClientRect();"
        " return {left: r.left, top: r.top, right: r.right, bottom: r.bottom}; }"
    )
    return b


def overlaps(a: dict[str, float], b: dict[str, float]) -> bool:
    return (
        a["left"] < b["right"]
        and b["left"] < a["right"]
        and a["top"] < b["bottom"]
        and b["top"] < a["bottom"]
    )


def inside(a: dict[str, float], b: dict[str, float]) -> bool:
    """a lies wholly inside b (1 px slack)."""
    return (
        a["left"] >= b["left"] - 1
        and a["right"] <= b["right"] + 1
        and a["top"] >= b["top"] - 1
        and a["bottom"] <= b["bottom"] + 1
    )


def visible_handles(pane: Locator) -> int:
    """Ports drawn on screen (a port nothing can connect to should not be)."""
    n: int = pane.evaluate(
        """p => [...p.querySelectorAll('.react-flow__handle')].filter(h => {
            const s = getComputedStyle(h);
            return s.visibility !== 'hidden' && s.display !== 'none'
                && parseFloat(s.opacity) > 0;
        }).length"""
    )
    return n
