"""Shared pieces of the browser tests: the server handle and screenshots."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import Page

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
