"""The graph editor's kernel side: the EditorWidget (protocol requests) and vf.Editor (its
Python API)."""

from vizflow_kernelext.editor.editor import Editor
from vizflow_kernelext.editor.widget import EditorWidget

__all__ = ["Editor", "EditorWidget"]
