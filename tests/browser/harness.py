"""Shared pieces of the browser tests: the server handle and screenshots."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import Browser, Page

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "artifacts" / "screenshots"


@dataclass(frozen=True)
class LabServer:
    """A running JupyterLab: where it listens and the folder it serves."""

    url: str
    token: str
    root: Path

    def lab_url(self, path: str = "") -> str:
        """URL of JupyterLab opening `path` (relative to the served folder)."""
        tree = f"/tree/{path}" if path else ""
        return f"{self.url}/lab{tree}?token={self.token}"


def screenshot(page: Page, name: str) -> Path:
    """Save a PNG of the page under artifacts/screenshots/ and return its path."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path


def open_page(browser: Browser) -> Iterator[Page]:
    """A desktop-sized page whose JS errors and dialogs are collected (and dialogs dismissed):
    `page.vf_errors`, `page.vf_dialogs`. Closed when the generator ends."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    new_page = context.new_page()
    errors: list[str] = []
    dialogs: list[str] = []
    new_page.on("pageerror", lambda exc: errors.append(str(exc)))
    new_page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    new_page.vf_errors = errors  # type: ignore[attr-defined]
    new_page.vf_dialogs = dialogs  # type: ignore[attr-defined]
    yield new_page
    context.close()
