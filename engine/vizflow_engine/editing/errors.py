"""The editor's errors: one for a refused edit, one for a refused file."""

from __future__ import annotations

from ..errors import VizflowError


class EditError(VizflowError, ValueError):
    """An edit the document refuses (unknown node, taken port, cycle, bad param); nothing
    changed. The message says which command and why."""


class EditorFileError(VizflowError, ValueError):
    """A .vfg.json file (or its .npz) that opening refuses whole: names the JSON path and why."""

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"{path}: {reason}")
