"""Conv1d, Conv3d and ConvTranspose1d/2d/3d: PyTorch's arguments, parameter names, shapes
and default initialisation, so state dicts interchange."""

from __future__ import annotations

import math
from typing import Any

from ..ops.conv_nd import _tuple
from ..ops.neural import check_padding_mode
from . import functional as F
from . import init
from .layers import _param
from .module import Module
from .parameter import Parameter


class _ConvNd(Module):
    """Shared by the convolutions: weight (and bias) with PyTorch's kaiming-uniform init."""

    def __init__(
        self,
        nd: int,
        in_channels: int,
        out_channels: int,
        kernel_size: Any,
        stride: Any,
        padding: Any,
        dilation: Any,
        groups: int,
        bias: bool,
        padding_mode: str,
        transposed: bool,
        output_padding: Any = 0,
    ) -> None:
        super().__init__()
        if in_channels % groups or out_channels % groups:
            raise ValueError(
                f"channels {in_channels}->{out_channels} must divide by groups {groups}"
            )
        if padding_mode != "zeros":
            raise NotImplementedError(f"padding_mode={padding_mode!r}: only 'zeros' is supported")
        self.in_channels, self.out_channels, self.groups = in_channels, out_channels, groups
        self.kernel_size = _tuple(kernel_size, nd, "kernel_size")
        self.stride, self.dilation = _tuple(stride, nd, "stride"), _tuple(dilation, nd, "dilation")
        if isinstance(padding, str):
            if transposed:
                raise ValueError("padding must be ints for a transposed convolution")
            check_padding_mode(padding, 1 if all(s == 1 for s in self.stride) else 2)
            self.padding: str | tuple[int, ...] = padding
        else:
            self.padding = _tuple(padding, nd, "padding")
        self.output_padding = _tuple(output_padding, nd, "output_padding")
        self.padding_mode = padding_mode
        shape = (
            (in_channels, out_channels // groups)
            if transposed
            else (out_channels, in_channels // groups)
        )
        self.weight = _param(*shape, *self.kernel_size)
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        self.bias: Parameter | None = None
        if bias:
            self.bias = _param(out_channels)
            fan_in = shape[1] * math.prod(self.kernel_size)
            bound = 1.0 / math.sqrt(fan_in) if fan_in else 0.0
            init.uniform_(self.bias, -bound, bound)

    def extra_repr(self) -> str:
        return (
            f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
            f"stride={self.stride}, padding={self.padding}"
        )


class Conv1d(_ConvNd):
    """1-D convolution layer, weight (out, in/groups, k)."""

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: Any,
        stride: Any = 1,
        padding: Any = 0,
        dilation: Any = 1,
        groups: int = 1,
        bias: bool = True,
        padding_mode: str = "zeros",
    ) -> None:
        super().__init__(1, in_channels, out_channels, kernel_size, stride, padding, dilation,
                         groups, bias, padding_mode, False)  # fmt: skip

    def forward(self, x: Any) -> Any:
        """Convolve x (N, C, L) or (C, L)."""
        return F.conv1d(
            x, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups
        )


class Conv3d(_ConvNd):
    """3-D convolution layer, weight (out, in/groups, kd, kh, kw)."""

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: Any,
        stride: Any = 1,
        padding: Any = 0,
        dilation: Any = 1,
        groups: int = 1,
        bias: bool = True,
        padding_mode: str = "zeros",
    ) -> None:
        super().__init__(3, in_channels, out_channels, kernel_size, stride, padding, dilation,
                         groups, bias, padding_mode, False)  # fmt: skip

    def forward(self, x: Any) -> Any:
        """Convolve x (N, C, D, H, W) or (C, D, H, W)."""
        return F.conv3d(
            x, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups
        )


class _ConvTransposeNd(_ConvNd):
    """Transposed convolution layer, weight (in, out/groups, *kernel)."""

    nd = 2

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: Any,
        stride: Any = 1,
        padding: Any = 0,
        output_padding: Any = 0,
        groups: int = 1,
        bias: bool = True,
        dilation: Any = 1,
        padding_mode: str = "zeros",
    ) -> None:
        super().__init__(self.nd, in_channels, out_channels, kernel_size, stride, padding,
                         dilation, groups, bias, padding_mode, True, output_padding)  # fmt: skip

    def forward(self, x: Any) -> Any:
        """Transposed convolution of x (batched or not)."""
        fn = {1: F.conv_transpose1d, 2: F.conv_transpose2d, 3: F.conv_transpose3d}[self.nd]
        return fn(
            x,
            self.weight,
            self.bias,
            self.stride,
            self.padding,
            self.output_padding,
            self.groups,
            self.dilation,
        )


class ConvTranspose1d(_ConvTransposeNd):
    """1-D transposed convolution layer, weight (in, out/groups, k)."""

    nd = 1


class ConvTranspose2d(_ConvTransposeNd):
    """2-D transposed convolution layer, weight (in, out/groups, kh, kw)."""

    nd = 2


class ConvTranspose3d(_ConvTransposeNd):
    """3-D transposed convolution layer, weight (in, out/groups, kd, kh, kw)."""

    nd = 3


__all__ = ["Conv1d", "Conv3d", "ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d"]
