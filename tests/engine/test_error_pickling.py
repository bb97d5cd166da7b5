"""Every engine error pickles whole (message, type and fields), as Dask and multiprocessing need."""

from __future__ import annotations

import pickle

import vizflow_engine as vf
from vizflow_engine.errors import VizflowError
from vizflow_engine.graph.errors import GraphError, GraphFormatError


def _subclasses(cls: type) -> set[type]:
    out: set[type] = set()
    todo = [cls]
    while todo:
        for sub in todo.pop().__subclasses__():
            if sub not in out:
                out.add(sub)
                todo.append(sub)
    return out


def test_errors_with_their_own_init_round_trip() -> None:
    """Errors whose __init__ takes fields, not a message, come back equal after pickling."""
    cases = [
        vf.ShapeError("matmul", [(2, 3), (4, 5)], "inner dims differ", "model.py:7"),
        GraphFormatError("$.nodes[3].op", "unknown op 'frobnicate'"),
        GraphError("fc1/matmul", "cycle"),
    ]
    for err in cases:
        back = pickle.loads(pickle.dumps(err))
        assert type(back) is type(err)
        assert str(back) == str(err)
        assert back.__dict__ == err.__dict__


def test_every_engine_error_class_pickles() -> None:
    """Each subclass, made without its __init__ (any signature), survives a round trip."""
    import vizflow_engine.distributed  # the subpackages define error classes too
    import vizflow_engine.editing
    import vizflow_engine.onnx  # noqa: F401

    for cls in _subclasses(VizflowError):
        err = cls.__new__(cls)
        Exception.__init__(err, f"a {cls.__name__}")
        err.__dict__["field"] = 3
        back = pickle.loads(pickle.dumps(err))
        assert type(back) is cls and str(back) == f"a {cls.__name__}" and back.field == 3
