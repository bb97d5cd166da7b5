"""Tensor API, dtypes, devices and error messages."""

from __future__ import annotations

import numpy as np
import pytest

import vizflow_engine as vf


def test_shape_error_names_op_shapes_and_user_line() -> None:
    a = vf.tensor(np.ones((2, 3)))
    b = vf.tensor(np.ones((4, 5)))
    with pytest.raises(vf.ShapeError) as info:
        a @ b  # the line the message must point at
    msg = str(info.value)
    assert "matmul" in msg and "(2, 3)" in msg and "(4, 5)" in msg
    assert f"{__file__}:" in msg and "test_shape_error_names_op_shapes_and_user_line" in msg
    with pytest.raises(vf.ShapeError, match=r"add: shapes \(2, 3\) and \(4, 5\) cannot be broad"):
        a + b
    assert isinstance(info.value, ValueError)


def test_cuda_without_cupy_or_gpu_is_a_clear_error() -> None:
    if vf.cuda_available():
        pytest.skip("a GPU is present; the error path cannot be exercised")
    with pytest.raises(vf.DeviceError, match=r"cupy|CUDA device"):
        vf.zeros(2, device="cuda")
    with pytest.raises(vf.DeviceError, match=r"cupy|CUDA device"):
        vf.tensor([1.0]).cuda()


@pytest.mark.gpu
def test_cuda_round_trip_and_mixed_device_error() -> None:
    if not vf.cuda_available():
        pytest.skip("no CUDA GPU with cupy")
    x = vf.tensor([1.0, 2.0], device="cuda", requires_grad=True)
    y = (x * x).sum()
    y.backward()
    np.testing.assert_allclose(x.grad.numpy(), [2.0, 4.0])
    with pytest.raises(vf.DeviceError, match="different devices"):
        x + vf.tensor([1.0, 2.0])


def test_dtype_rules_follow_numpy_with_weak_python_scalars() -> None:
    f32 = vf.tensor([1.0, 2.0])
    assert f32.dtype == vf.float32
    assert vf.tensor([1, 2]).dtype == vf.int64
    assert vf.tensor([True]).dtype == vf.bool_
    assert (f32 * 2.5).dtype == vf.float32
    assert (vf.tensor([1, 2]) * 2.5).dtype == vf.float32
    assert (vf.tensor([1, 2]) / vf.tensor([2, 2])).dtype == vf.float32
    assert (vf.tensor([1, 2]) + 1).dtype == vf.int64
    assert (f32 + vf.tensor([1.0], dtype="float64")).dtype == vf.float64
    assert vf.tensor(np.array([1.0])).dtype == vf.float64
    assert vf.exp(vf.tensor([1, 2])).dtype == vf.float32


def test_float16_storage_and_grad() -> None:
    x = vf.tensor([0.5, 1.5], dtype="float16", requires_grad=True)
    y = (x * x).sum()
    assert y.dtype == vf.float16
    y.backward()
    assert x.grad.dtype == vf.float16
    np.testing.assert_allclose(x.grad.numpy(), [1.0, 3.0])
    h = vf.tensor([1.0, 2.0]).half()
    assert h.dtype == vf.float16 and h.float().dtype == vf.float32


def test_repr_like_torch() -> None:
    assert repr(vf.tensor([1.0, 2.0])) == "tensor([1., 2.])"
    x = vf.tensor([1.0], requires_grad=True)
    assert repr(x) == "tensor([1.], requires_grad=True)"
    assert repr(x * 2.0) == "tensor([2.], grad_fn=<mul>)"
    assert "dtype=float64" in repr(vf.tensor([1.0], dtype="float64"))


def test_conversions_and_python_protocol() -> None:
    x = vf.tensor([[1.0, 2.0], [3.0, 4.0]])
    assert x.shape == (2, 2) and x.ndim == 2 and x.size == 4 and len(x) == 2
    assert x.tolist() == [[1.0, 2.0], [3.0, 4.0]]
    assert x[1, 0].item() == 3.0 and float(x[0, 1]) == 2.0
    assert np.asarray(x).shape == (2, 2)
    assert x.T.tolist() == [[1.0, 3.0], [2.0, 4.0]]
    assert [r.tolist() for r in x] == [[1.0, 2.0], [3.0, 4.0]]
    assert (np.ones(2) + vf.tensor([1.0, 1.0])).tolist() == [2.0, 2.0]
    assert (2.0 - x)[0].tolist() == [1.0, 0.0]
    assert ((x > 2.0) & (x < 4.0)).tolist() == [[False, False], [True, False]]
    assert (~(x > 2.0)).tolist() == [[True, True], [False, False]]
    with pytest.raises(ValueError, match="ambiguous"):
        bool(x)
    assert x.to("cpu") is x and x.cpu() is x


def test_creation_functions() -> None:
    vf.manual_seed(0)
    a = vf.randn(2, 3)
    vf.manual_seed(0)
    b = vf.randn(2, 3)
    assert a.tolist() == b.tolist() and a.dtype == vf.float32
    assert vf.zeros(2, 3).shape == (2, 3) and vf.ones((2,)).tolist() == [1.0, 1.0]
    assert vf.arange(3).dtype == vf.int64 and vf.arange(0.0, 1.0, 0.5).tolist() == [0.0, 0.5]
    assert vf.full((2,), 7).dtype == vf.int64 and vf.full((2,), 7.0).dtype == vf.float32
    assert vf.eye(2).tolist() == [[1.0, 0.0], [0.0, 1.0]]
    assert vf.linspace(0, 1, 3).tolist() == [0.0, 0.5, 1.0]
    r = vf.randint(0, 5, (100,))
    assert r.dtype == vf.int64 and r.numpy().min() >= 0 and r.numpy().max() < 5
    x = vf.tensor([[1.0, 2.0]], dtype="float64")
    for like in (vf.zeros_like, vf.ones_like, vf.rand_like, vf.randn_like):
        y = like(x)
        assert y.shape == x.shape and y.dtype == vf.float64
    assert vf.full_like(x, 3.0).tolist() == [[3.0, 3.0]]
    assert vf.rand(3, requires_grad=True).requires_grad


def test_composites_forward_values() -> None:
    x = vf.tensor(np.array([[-1.0, 0.0, 2.0], [3.0, 1.0, -2.0]]))
    a = x.numpy()
    np.testing.assert_allclose(vf.sigmoid(x).numpy(), 1 / (1 + np.exp(-a)), rtol=1e-6)
    np.testing.assert_allclose(vf.softplus(x).numpy(), np.log1p(np.exp(a)), rtol=1e-6)
    sm = np.exp(a) / np.exp(a).sum(-1, keepdims=True)
    np.testing.assert_allclose(vf.softmax(x).numpy(), sm, rtol=1e-6)
    np.testing.assert_allclose(
        vf.log_softmax(x, 0).numpy(), a - np.log(np.exp(a).sum(0, keepdims=True)), rtol=1e-6
    )
    np.testing.assert_allclose(vf.logsumexp(x, 1).numpy(), np.log(np.exp(a).sum(1)), rtol=1e-6)
    np.testing.assert_allclose(x.var(0).numpy(), a.var(0, ddof=1), rtol=1e-6)
    np.testing.assert_allclose(x.std(correction=0).numpy(), a.std(), rtol=1e-6)
    np.testing.assert_allclose(x.mean((0, 1)).numpy(), a.mean(), rtol=1e-6)
    from scipy.special import erf

    np.testing.assert_allclose(vf.gelu(x).numpy(), a * 0.5 * (1 + erf(a / np.sqrt(2))), rtol=1e-6)
    t = vf.gelu(x, approximate="tanh").numpy()
    np.testing.assert_allclose(
        t, 0.5 * a * (1 + np.tanh(np.sqrt(2 / np.pi) * (a + 0.044715 * a**3))), rtol=1e-6
    )
    assert [p.shape for p in x.split([1, 2], axis=1)] == [(2, 1), (2, 2)]
    assert x.flatten().shape == (6,) and x.unsqueeze(0).squeeze().shape == (2, 3)
