"""Parameter: a Tensor that a Module registers as trainable (requires_grad, named)."""

from __future__ import annotations

from typing import Any

from ..tensor import Tensor


class Parameter(Tensor):
    """A leaf Tensor with requires_grad=True that Modules collect; named by its module path."""

    __slots__ = ()

    def __init__(self, data: Any, requires_grad: bool = True, name: str | None = None) -> None:
        if isinstance(data, Tensor):
            super().__init__(data.array, requires_grad=False, name=name, device=data.device)
        else:
            super().__init__(data, requires_grad=False, name=name)
        if requires_grad:
            self.requires_grad_()

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()
