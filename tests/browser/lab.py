"""Helpers that drive JupyterLab the way a person does: open, run all, wait."""

from __future__ import annotations

from playwright.sync_api import Page

from tests.browser.harness import LabServer

KERNEL_IDLE = ".jp-Notebook-ExecutionIndicator[data-status='idle']"


def dismiss_notices(page: Page) -> None:
    """Close the "Jupyter news" and similar toasts if they cover the UI."""
    for button in page.locator(".jp-toast-button, .Toastify__close-button").all():
        if button.is_visible():
            button.click()


def open_notebook(page: Page, server: LabServer, path: str) -> None:
    """Open a notebook and wait until its kernel is idle."""
    page.goto(server.lab_url(path))
    page.wait_for_selector(".jp-Notebook", timeout=60_000)
    page.wait_for_selector(KERNEL_IDLE, timeout=60_000)
    dismiss_notices(page)


def run_all_cells(page: Page, timeout_ms: int = 120_000) -> None:
    """Run every cell through the command palette and wait for the kernel to go idle."""
    page.keyboard.press("Control+Shift+C")
    palette = page.locator(".lm-CommandPalette-input")
    palette.wait_for(state="visible")
    palette.fill("Run All Cells")
    page.keyboard.press("Enter")
    page.wait_for_timeout(500)
    page.wait_for_selector(KERNEL_IDLE, timeout=timeout_ms)
