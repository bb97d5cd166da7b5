"""Input checks of losses and layers (bad indices, shape mistakes), dim aliases, error types.

Each test pins a mistake that used to pass silently or under the wrong error type.
"""

from __future__ import annotations

import inspect
import warnings

import numpy as np
import pytest

import vizflow_engine as vf
import vizflow_engine.nn.functional as F
from vizflow_engine import nn
from vizflow_engine.graph import spec, trace
from vizflow_engine.ops import composites
from vizflow_engine.registry import COMPOSITES

# ---- class and row indices --------------------------------------------------------------


@pytest.mark.parametrize("bad", [-3, 7])
def test_cross_entropy_refuses_out_of_range_classes(bad: int) -> None:
    logits = vf.randn(4, 3)
    with pytest.raises(IndexError, match=rf"cross_entropy: class index {bad} .*\[0, 3\)") as e:
        F.cross_entropy(logits, vf.tensor([0, bad, 2, 1]))
    assert "test_neural_checks.py" in str(e.value)  # the user's line
    with pytest.raises(IndexError, match="cross_entropy"):  # (N, C, d) logits are flattened
        F.cross_entropy(vf.randn(2, 3, 5), vf.tensor([[0, 1, 2, 3, 0], [0, 0, 0, 0, 0]]))


def test_cross_entropy_keeps_ignore_index() -> None:
    x = vf.tensor(np.random.default_rng(0).standard_normal((3, 4)), requires_grad=True)
    loss = F.cross_entropy(x, vf.tensor([1, -100, 3]))
    ref = F.cross_entropy(x[np.array([0, 2])], vf.tensor([1, 3]))
    np.testing.assert_allclose(loss.item(), ref.item(), rtol=1e-12)
    loss.backward()
    assert np.all(x.grad.numpy()[1] == 0)
    F.cross_entropy(x, vf.tensor([1, 9, 3]), ignore_index=9)  # a custom one too
    with pytest.raises(IndexError, match="-100"):  # -100 is only allowed as the ignore_index
        F.cross_entropy(x, vf.tensor([1, -100, 3]), ignore_index=9)


def test_cross_entropy_checks_classes_in_a_traced_graph() -> None:
    g = trace(lambda x, t: F.cross_entropy(x, t), spec(("b", 3), "float64"), spec(("b",), "int64"))
    (ok,) = g(np.zeros((2, 3)), np.array([0, 2]))
    np.testing.assert_allclose(ok, np.log(3.0))
    with pytest.raises(IndexError, match=r"class index 5 is out of range \[0, 3\)"):
        g(np.zeros((2, 3)), np.array([0, 5]))


@pytest.mark.parametrize("bad", [-1, 3])
def test_nll_loss_refuses_out_of_range_classes(bad: int) -> None:
    logp = vf.log_softmax(vf.randn(4, 3), 1)
    with pytest.raises(IndexError, match=rf"nll_loss: class index {bad} .*\[0, 3\)"):
        F.nll_loss(logp, vf.tensor([0, bad, 2, 1]))
    kept = F.nll_loss(logp, vf.tensor([0, -100, 2, 1]))  # ignore_index still contributes nothing
    ref = -(logp.numpy()[[0, 2, 3], [0, 2, 1]]).mean()
    np.testing.assert_allclose(kept.item(), ref, rtol=1e-6)


def test_nll_loss_traces_without_values() -> None:
    g = trace(lambda x, t: F.nll_loss(x, t), spec(("b", 3), "float64"), spec(("b",), "int64"))
    (out,) = g(np.log(np.full((2, 3), 1 / 3)), np.array([0, 2]))
    np.testing.assert_allclose(out, np.log(3.0))


@pytest.mark.parametrize("bad", [-1, 3])
def test_embedding_refuses_out_of_range_rows(bad: int) -> None:
    emb = nn.Embedding(3, 2)
    with pytest.raises(IndexError, match=rf"embedding: index {bad} is out of range \[0, 3\)"):
        emb(vf.tensor([0, bad]))
    assert emb(vf.tensor([[2, 0]])).shape == (1, 2, 2)


def test_embedding_negative_padding_idx_counts_from_the_end() -> None:
    w = vf.tensor(np.arange(6.0).reshape(3, 2), requires_grad=True)
    out = F.embedding(vf.tensor([0, 2]), w, padding_idx=-1)
    np.testing.assert_array_equal(out.numpy(), [[0.0, 1.0], [0.0, 0.0]])
    with pytest.raises(IndexError, match="padding_idx 3"):
        F.embedding(vf.tensor([0]), w, padding_idx=3)


# ---- shape mistakes ---------------------------------------------------------------------


def test_layer_norm_needs_normalized_shape_to_be_the_trailing_dims() -> None:
    x = vf.randn(2, 4, 7, 7)
    with pytest.raises(vf.ShapeError, match=r"layer_norm: normalized_shape \(5,\)"):
        F.layer_norm(x, (5,))
    with pytest.raises(vf.ShapeError, match="normalized_shape"):
        F.layer_norm(vf.randn(3), (2, 3))
    with pytest.raises(vf.ShapeError, match="weight shape"):
        F.layer_norm(x, (7, 7), vf.ones(7))
    assert F.layer_norm(x, (7, 7)).shape == x.shape
    assert nn.LayerNorm(7)(x).shape == x.shape
    with pytest.raises(vf.ShapeError):
        trace(lambda v: F.layer_norm(v, (4,)), spec(("b", 3), "float64"))
    trace(lambda v: F.layer_norm(v, (3,)), spec(("b", 3), "float64"))  # unknown dims pass
    trace(lambda v: F.layer_norm(v, (3,)), spec((2, "feat"), "float64"))  # a named dim too


def test_mse_loss_warns_when_shapes_broadcast() -> None:
    with pytest.warns(UserWarning, match=r"mse_loss: target shape \(4,\).*input shape \(4, 1\)"):
        F.mse_loss(vf.ones(4, 1), vf.ones(4))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert F.mse_loss(vf.ones(4, 1), vf.zeros(4, 1)).item() == 1.0


# ---- empty reduced dims ------------------------------------------------------------------


def test_softmax_and_logsumexp_over_an_empty_dim() -> None:
    x = vf.zeros(2, 0, requires_grad=True)
    assert vf.softmax(x, 1).shape == (2, 0) and vf.log_softmax(x, 1).shape == (2, 0)
    lse = vf.logsumexp(x, 1)
    assert lse.shape == (2,) and np.all(lse.numpy() == -np.inf)
    assert vf.logsumexp(x, 1, keepdims=True).shape == (2, 1)
    (g,) = vf.grad(vf.softmax(x, 1).sum() + vf.logsumexp(x, 1).sum(), x)
    assert g.shape == (2, 0)
    assert vf.softmax(vf.zeros(0, 3), 1).shape == (0, 3)  # empty, but the reduced dim is not


# ---- dim / keepdim aliases ----------------------------------------------------------------

_AXIS_FUNCS = ["mean", "var", "std", "logsumexp", "softmax", "log_softmax"]


@pytest.mark.parametrize("name", _AXIS_FUNCS)
def test_dim_aliases_match_axis(name: str) -> None:
    fn = getattr(vf, name)
    x = vf.tensor(np.random.default_rng(1).standard_normal((3, 4)))
    params = inspect.signature(fn).parameters
    if "keepdims" in params:
        ref = fn(x, axis=1, keepdims=True).numpy()
        np.testing.assert_array_equal(fn(x, dim=1, keepdim=True).numpy(), ref)
    else:
        np.testing.assert_array_equal(fn(x, dim=0).numpy(), fn(x, 0).numpy())
    with pytest.raises(TypeError, match="not both"):
        fn(x, 0, dim=1)
    assert params["dim"].kind is inspect.Parameter.KEYWORD_ONLY


def test_aliases_are_not_recorded_as_composite_params() -> None:
    for comp in COMPOSITES.values():
        assert not {"dim", "keepdim"} & set(comp.params), comp.name
        sig = inspect.signature(comp.fn).parameters
        assert set(comp.params) <= set(sig), comp.name
    assert composites.softmax is vf.softmax is F.softmax


# ---- error types --------------------------------------------------------------------------


def test_non_shape_kernel_errors_keep_their_type() -> None:
    with pytest.raises(ValueError, match=r"pow: Integers to negative") as e:
        _ = vf.tensor([2, 3]) ** -1
    assert not isinstance(e.value, vf.ShapeError)
    assert "(2,)" in str(e.value) and "test_neural_checks.py" in str(e.value)
    with pytest.raises(vf.ShapeError, match="add"):  # a shape problem stays a ShapeError
        vf.ones(2, 3) + vf.ones(4, 5)


# ---- conv2d padding modes ---------------------------------------------------------------


@pytest.mark.parametrize(("k", "d"), [((3, 3), 1), ((2, 4), 1), ((3, 2), 2), ((1, 1), 1)])
def test_conv2d_same_and_valid_padding(k: tuple[int, int], d: int) -> None:
    rng = np.random.default_rng(2)
    xa, wa = rng.standard_normal((2, 3, 7, 6)), rng.standard_normal((4, 3, *k))
    x, w = vf.tensor(xa, requires_grad=True), vf.tensor(wa)
    out = F.conv2d(x, w, padding="same", dilation=d)
    assert out.shape == (2, 4, 7, 6)
    # PyTorch's 'same': total d(k-1) per dim, half before and the rest (one more) after
    th, tw = d * (k[0] - 1), d * (k[1] - 1)
    pads = ((0, 0), (0, 0), (th // 2, th - th // 2), (tw // 2, tw - tw // 2))
    ref = F.conv2d(vf.tensor(np.pad(xa, pads)), w, dilation=d)
    np.testing.assert_allclose(out.numpy(), ref.numpy(), rtol=1e-12)
    out.sum().backward()
    assert x.grad.shape == x.shape
    valid = F.conv2d(x, w, padding="valid", dilation=d)
    np.testing.assert_array_equal(valid.numpy(), F.conv2d(x, w, dilation=d).numpy())


def test_conv2d_same_padding_needs_stride_1() -> None:
    x, w = vf.randn(1, 2, 5, 5), vf.randn(3, 2, 3, 3)
    with pytest.raises(ValueError, match="padding='same' needs stride 1"):
        F.conv2d(x, w, stride=2, padding="same")
    with pytest.raises(ValueError, match="padding='same' needs stride 1"):
        nn.Conv2d(2, 3, 3, stride=2, padding="same")
    with pytest.raises(ValueError, match="'full'"):
        nn.Conv2d(2, 3, 3, padding="full")
    layer = nn.Conv2d(2, 3, 4, padding="same")
    assert layer(x).shape == (1, 3, 5, 5)


def test_batch_norm_names_a_channel_count_mismatch() -> None:
    bn = nn.BatchNorm2d(3)
    wrong = r"4 channels \(dim 1\) but running_mean has shape \(3,\)"
    with pytest.raises(vf.ShapeError, match=wrong):
        bn(vf.tensor(np.ones((2, 4, 5, 5), np.float32)))
    bn.eval()
    with pytest.raises(vf.ShapeError, match="num_features=2"):
        bn(vf.tensor(np.ones((1, 2, 3, 3), np.float32)))
    assert bn(vf.tensor(np.ones((1, 3, 3, 3), np.float32))).shape == (1, 3, 3, 3)
    traced = trace(lambda x: bn(x), spec(("batch", 3, 4, 4)))  # an unknown batch is fine
    assert traced.outputs[0].shape[1:] == (3, 4, 4)
