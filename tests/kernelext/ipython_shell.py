"""The suite's one IPython shell: IPython's testing shell, started once whichever test asks first
(IPython allows one shell singleton class per process)."""

from __future__ import annotations

from IPython.terminal.interactiveshell import TerminalInteractiveShell
from IPython.testing.globalipapp import start_ipython


def suite_shell() -> TerminalInteractiveShell:
    """The shared test shell, started on first use."""
    start_ipython()  # a no-op after the first call
    return TerminalInteractiveShell.instance()
