"""`vf.Tensor` as user code sees it: the eager Tensor class, of which a traced value is an
instance too (PyTorch code checks `isinstance(x, torch.Tensor)` inside compiled functions).

The engine itself tests for the eager class (`vizflow_engine.tensor.Tensor`), so its hot
paths keep their plain isinstance checks; only user code pays for this broader check.
"""

from __future__ import annotations

from typing import Any

from .dispatch import symbolic_types
from .tensor import Tensor as EagerTensor


class _TensorType(type):
    """Instance and subclass checks that count graph-mode values (registered symbolic
    types such as graph.ir.Value) as Tensors."""

    def __instancecheck__(cls, obj: Any) -> bool:
        return isinstance(obj, EagerTensor) or type(obj) in symbolic_types()

    def __subclasscheck__(cls, sub: type) -> bool:
        return issubclass(sub, EagerTensor) or sub in symbolic_types()


class Tensor(EagerTensor, metaclass=_TensorType):
    """An n-d array on a device that records the ops made from it for reverse-mode
    autodiff; `vf.Tensor(data)` makes an eager tensor, and inside a traced function the
    values are Tensors too (`isinstance(x, vf.Tensor)` is true)."""

    __slots__ = ()

    def __new__(cls, *args: Any, **kwargs: Any) -> EagerTensor:  # type: ignore[misc]
        return EagerTensor(*args, **kwargs)


Tensor.__module__ = "vizflow_engine"
