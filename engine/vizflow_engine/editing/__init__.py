"""The visual editor's model, pure Python: a Document over a vf.Graph, edited by commands with
exact inverses, with live shape inference, wiring probes, node states, runs and training,
readable code, and a graph file format. The widget lives in vizflow_kernelext.editor."""

from .codegen import to_code
from .commands import Step, apply_step
from .convert import from_graph, to_graph
from .errors import EditError, EditorFileError
from .fileformat import dumps, loads, open_file, save
from .infer import NodeType, ProbeTarget, infer_all, probe
from .model import Document, EdgeRec, GroupRec, NodeRec
from .palette import palette
from .run import run, train
from .states import RunRecord, node_states

__all__ = [
    "Document",
    "EdgeRec",
    "EditError",
    "EditorFileError",
    "GroupRec",
    "NodeRec",
    "NodeType",
    "ProbeTarget",
    "RunRecord",
    "Step",
    "apply_step",
    "dumps",
    "from_graph",
    "infer_all",
    "loads",
    "node_states",
    "open_file",
    "palette",
    "probe",
    "run",
    "save",
    "to_code",
    "to_graph",
    "train",
]
