"""Engine exceptions whose messages speak the user's language: op, shapes, file:line."""

from __future__ import annotations

from typing import Any


class VizflowError(Exception):
    """Base class of every error the engine raises on purpose."""

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle by message and fields, not by __init__'s arguments (which subclasses change),
        so an error crosses processes whole (Dask workers, multiprocessing)."""
        return (_rebuild, (type(self), self.args, self.__dict__))


def _rebuild(cls: type[VizflowError], args: tuple[Any, ...], state: dict[str, Any]) -> Any:
    """An error of cls with args and fields set, without calling cls.__init__."""
    err = cls.__new__(cls)
    Exception.__init__(err, *args)
    err.__dict__.update(state)
    return err


class ShapeError(VizflowError, ValueError, RuntimeError):
    """Inputs whose shapes or dtypes an op cannot accept; names the op, the shapes, the line.
    A RuntimeError too, as PyTorch raises for shape mismatches (and a ValueError, as numpy)."""

    def __init__(self, op: str, shapes: object, reason: str, where: str | None = None) -> None:
        self.op = op
        self.shapes = shapes
        self.reason = reason
        self.where = where
        msg = f"{op}: {reason} (input shapes {shapes})"
        if where:
            msg += f"\n  at {where}"
        super().__init__(msg)


class IndexShapeError(ShapeError, IndexError):
    """An index out of range for a dim: a ShapeError that `except IndexError` catches too."""


def shape_error(
    op: str, shapes: object, rule_exc: Exception, where: str | None = None
) -> ShapeError:
    """The ShapeError for a shape rule's refusal (an IndexShapeError for an IndexError)."""
    cls = IndexShapeError if isinstance(rule_exc, IndexError) else ShapeError
    return cls(op, shapes, str(rule_exc), where)


class DeviceError(VizflowError, RuntimeError):
    """Tensors on different devices mixed in one op, or a device that is unavailable."""


class GraphFreedError(VizflowError, RuntimeError):
    """Backward through a graph that an earlier backward already freed."""


class CheckpointError(VizflowError, ValueError):
    """A checkpoint (a .npz file or a state dict) refused whole, before anything was written.

    The message names the file or key, what was expected and what was found.
    """
