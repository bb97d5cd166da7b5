"""Helpers that drive JupyterLab the way a person does: open, run all, wait."""

from __future__ import annotations

import contextlib
import re
import urllib.error
import urllib.request

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page

from tests.browser.harness import LabServer

KERNEL_IDLE = ".jp-Notebook-ExecutionIndicator[data-status='idle']"


def dismiss_notices(page: Page) -> None:
    """Close the "Jupyter news" and similar toasts if they cover the UI."""
    for _ in range(3):
        buttons = page.locator(".Toastify__close-button")
        if buttons.count() == 0:
            return
        try:
            buttons.first.click(timeout=2_000)
        except PlaywrightError:
            return


def wait_for_kernel_idle(page: Page, timeout_ms: int = 90_000) -> None:
    """Wait until the status bar says the notebook's kernel is connected and idle."""
    page.wait_for_function(
        """() => [...document.querySelectorAll('.jp-StatusBar-TextItem')]
                 .some(e => /\\|\\s*Idle\\s*$/.test(e.textContent))""",
        timeout=timeout_ms,
    )


def reset_workspace(server: LabServer) -> None:
    """Forget the saved workspace, so JupyterLab reopens no tabs of earlier tests (the status
    bar and the Run menu would then speak for another notebook)."""
    request = urllib.request.Request(
        f"{server.url}/lab/api/workspaces/default?token={server.token}", method="DELETE"
    )
    with contextlib.suppress(urllib.error.HTTPError), urllib.request.urlopen(request, timeout=30):
        pass


def open_notebook(page: Page, server: LabServer, path: str) -> None:
    """Open a notebook in a fresh workspace and wait until its kernel is connected and idle."""
    reset_workspace(server)
    page.goto(server.lab_url(path))
    page.wait_for_selector(".jp-Notebook", timeout=60_000)
    wait_for_kernel_idle(page)
    dismiss_notices(page)


def run_all_cells(page: Page, timeout_ms: int = 120_000) -> None:
    """Run every cell from the Run menu and wait until each has an execution count."""
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()
    page.wait_for_function(
        """() => {
            const prompts = [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')];
            return prompts.length > 0 && prompts.every(p => /\\[\\d+\\]/.test(p.textContent));
        }""",
        timeout=timeout_ms,
    )
    page.wait_for_selector(KERNEL_IDLE, timeout=timeout_ms)
