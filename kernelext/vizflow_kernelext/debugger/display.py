"""`dbg` as a cell's last expression shows its debugger: one widget per session, so showing
it again (or reloading the page) shows the same live session."""

from __future__ import annotations

import weakref
from typing import Any

from IPython import get_ipython
from IPython.display import display

from vizflow_engine.debug import DebugSession
from vizflow_kernelext.debugger.widget import DebuggerWidget

_widgets: weakref.WeakKeyDictionary[DebugSession, DebuggerWidget] = weakref.WeakKeyDictionary()


def debugger_widget(session: DebugSession) -> DebuggerWidget:
    """The session's debugger widget (a new one if it has none, or its last was closed)."""
    widget = _widgets.get(session)
    if widget is None or widget.comm is None:
        widget = DebuggerWidget(session)
        _widgets[session] = widget
    return widget


def _display_session(session: DebugSession) -> bool:
    display(debugger_widget(session))
    return True


def register_display(ipython: Any = None) -> None:
    """In an IPython shell (the running one by default), display debug sessions as debuggers."""
    shell = ipython if ipython is not None else get_ipython()
    if shell is None:
        return
    formatter = shell.display_formatter.ipython_display_formatter
    formatter.for_type(DebugSession, _display_session)
