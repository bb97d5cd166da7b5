"""The debugger widget's kernel side (issue 11): a DebugSession's graph, state and controls."""

from vizflow_kernelext.debugger.display import debugger_widget, register_display
from vizflow_kernelext.debugger.widget import DebuggerWidget

__all__ = ["DebuggerWidget", "debugger_widget", "register_display"]
