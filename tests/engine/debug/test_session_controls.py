"""The session's controls and state machine on a traced training step and a plain graph."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import vizflow_engine as vf

from .models import chain_graph, mlp_step


def test_states_from_idle_to_finished_and_restart() -> None:
    _, step, x, y = mlp_step()
    dbg = vf.debug(step, x, y)
    seen: list[str] = []
    dbg.observe(lambda s: seen.append(s.state))
    assert dbg.state == "idle" and dbg.current is None
    ev = dbg.step()
    assert ev is not None and dbg.state == "paused"
    assert (ev.index, ev.name, ev.op, ev.phase) == (0, "linear", "linear", "forward")
    assert ev.source is not None and ev.source.function == "step"
    assert dbg.resume(block=True) is None  # ran to the end without stopping
    assert dbg.state == "finished" and len(dbg.history) == len(dbg.node_names)
    assert dbg.outputs is not None and np.isfinite(dbg.outputs[0])
    with pytest.raises(RuntimeError, match="restart"):
        dbg.step()
    dbg.restart()
    assert dbg.state == "idle" and len(dbg.history) == 0 and dbg.current is None
    assert seen[:3] == ["running", "paused", "running"] and seen[-1] == "idle"


def test_forward_then_backward_then_update_with_links() -> None:
    _, step, x, y = mlp_step()
    dbg = vf.debug(step, x, y)
    phases = []
    while dbg.state != "finished":
        ev = dbg.step()
        assert ev is not None
        phases.append(ev.phase)
        if ev.phase == "backward" and ev.op != "ones":
            assert ev.forward_of in dbg.node_names
    firsts = [phases.index(p) for p in ("forward", "backward", "update")]
    assert firsts == sorted(firsts) and phases[-1] == "update"
    assert phases == sorted(phases, key=["forward", "backward", "update"].index)


def test_run_to_and_step_over_a_group() -> None:
    @vf.function
    def f(x: Any) -> Any:
        with vf.name_scope("block"):
            h = (x * 2).exp()
            h = h + 1
        return h.sum()

    dbg = vf.debug(f, vf.ones(3))
    names = dbg.node_names
    ev = dbg.step_over()  # the next node opens "block": the whole group runs
    assert ev is not None and ev.name == names[2] and dbg.history[-1].index == 2
    ev = dbg.step_into()
    assert ev is not None and ev.scope == "" and ev.index == 3
    dbg.restart()
    ev = dbg.run_to(names[1])
    assert ev is not None and ev.name == names[1] and len(dbg.history) == 2
    with pytest.raises(KeyError, match="no node called"):
        dbg.run_to("nope")


def test_an_error_in_the_run_fails_the_session() -> None:
    bad = vf.debug(chain_graph(), np.ones(4))  # declared (3,): the run fails in the worker
    bad.resume()
    assert bad.wait(5) == "failed" and bad.error is not None


def test_step_back_three_restores_values_and_parameters() -> None:
    model, step, x, y = mlp_step()
    before = [p.numpy().copy() for p in model.parameters()]
    dbg = vf.debug(step, x, y)
    n = len(dbg.node_names)
    for _ in range(n):
        dbg.step()
    updates = [k for k, s in enumerate(dbg.history.steps) if s.phase == "update"]
    assert len(updates) == 4 and updates[-1] == n - 1
    changed = [
        not np.array_equal(p.numpy(), b) for p, b in zip(model.parameters(), before, strict=True)
    ]
    assert all(changed)
    kept = {s.name: s.value for s in dbg.history.steps}
    ev = dbg.step_back(3)
    assert ev is not None and ev.index == n - 4 and len(dbg.history) == n - 3
    assert dbg.state == "paused" and dbg.losses == []
    unchanged = [
        np.array_equal(p.numpy(), b) for p, b in zip(model.parameters(), before, strict=True)
    ]
    assert unchanged.count(True) == 3  # the first of the 4 updates ran again, the others not
    for s in dbg.history.steps[: n - 4]:
        if s.phase != "update":
            np.testing.assert_array_equal(dbg.value(s.name), kept[s.name])
    with pytest.raises(ValueError, match="step_back"):
        dbg.step_back(n)


def test_history_cap_keeps_health_for_every_step() -> None:
    _, step, x, y = mlp_step()
    dbg = vf.debug(step, x, y, max_values=5)
    dbg.resume(block=True)
    steps = dbg.history.steps
    kept = [s for s in steps if s.value is not None]
    assert len(kept) == 5 and kept == steps[-5:]
    assert dbg.history.total_bytes == sum(s.value.nbytes for s in kept)
    assert all(s.health.shape is not None for s in steps)
    summary = dbg.history.summary()
    assert summary["values_kept"] == 5 and summary["steps"] == len(steps)


def test_past_values_come_from_the_history_once_their_memory_is_reused() -> None:
    g = vf.Graph("wide")
    h = g.placeholder("x", (4096,), "float32")
    for _ in range(8):
        h = (h * 2.0) + 1.0
    g.output(h)
    feed = np.ones(4096, np.float32)
    kept = vf.debug(g, feed, max_values=100)
    capped = vf.debug(g, feed, max_values=2)
    for dbg in (kept, capped):
        dbg.run_to(dbg.node_names[-1])
    first = dbg.node_names[0]
    n = len(kept.node_names)
    # the last `cap` values' memory is reused only once the history has let go of them: with
    # a cap of 100, not in this run (the value is live); with a cap of 2, at once (in place)
    assert kept.storage.overwritten(kept.graph.value(first).uid, n) is None
    assert capped.storage.overwritten(capped.graph.value(first).uid, n) == 1
    np.testing.assert_array_equal(kept.value(first), np.full(4096, 2.0, np.float32))
    with pytest.raises(LookupError, match="no longer held"):
        capped.value(first)
    last = capped.value(capped.node_names[-1])  # the current value is always live
    np.testing.assert_array_equal(last, np.full(4096, 511.0, np.float32))


def test_health_counts_special_values_exactly() -> None:
    from vizflow_engine.debug.health import health

    h = health(np.array([0.0, -0.0, np.nan, np.inf, -np.inf, -np.inf, 1.0], np.float32))
    assert (h.nan, h.posinf, h.neginf, h.zeros, h.finite) == (1, 1, 2, 2, False)
    big = health(np.full(4, 3e38, np.float32))  # a sum would overflow: still finite
    assert big.finite and big.zeros == 0
    assert health(np.array([0, 2, 0])).zeros == 2


def test_a_shared_parameters_gradient_accumulates_term_by_term() -> None:
    w = vf.tensor(np.array([1.0, 2.0, 3.0], np.float32), requires_grad=True)
    opt = vf.optim.SGD([w], lr=0.1)

    @vf.function
    def f(x: Any) -> Any:
        opt.zero_grad()
        loss = (x * w).sum() + (w * w).sum()  # w's gradient: x + w + w, three terms
        loss.backward()
        opt.step()
        return loss

    x = vf.tensor(np.array([10.0, 20.0, 30.0], np.float32))
    dbg = vf.debug(f, x)
    dbg.run_to(next(n for n in dbg.node_names if n.startswith("expand")))
    assert dbg.grad_partials() == {}
    seen = []
    while dbg.state == "paused" and dbg.current is not None and dbg.current.phase == "backward":
        partial = dbg.grad_partials()
        if partial:
            (name,) = partial  # the parameter the sgd update reads
            seen.append(partial[name].tolist())
        dbg.step()
    w0 = np.array([1.0, 2.0, 3.0])
    assert seen[0] == w0.tolist()  # one w of w * w
    assert seen[-1] == (10 * np.arange(1, 4) + 2 * w0).tolist()  # x + 2w: the whole gradient
    assert len({tuple(s) for s in seen}) == 3  # three partial sums along the way


def test_gradient_flows_name_where_each_term_goes_and_who_reads_the_sum() -> None:
    w = vf.tensor(np.array([1.0, 2.0, 3.0], np.float32), requires_grad=True)
    opt = vf.optim.SGD([w], lr=0.1)

    @vf.function
    def f(x: Any) -> Any:
        opt.zero_grad()
        loss = (x * w).sum() + (w * w).sum()  # three terms, summed by two backward adds
        loss.backward()
        opt.step()
        return loss

    dbg = vf.debug(f, vf.tensor(np.array([10.0, 20.0, 30.0], np.float32)))
    ((name, flow),) = dbg.grad_flows().items()
    names = dbg.node_names
    assert len(flow.terms) == 3 and flow.reader is not None
    assert names[flow.root].startswith("add") and flow.reader in names
    intos = [into for _, into in flow.terms]
    assert all(into is not None and into.startswith("add") for into in intos)
    assert names[flow.root] in intos  # the two adds: one feeds the other
    # Contributions so far: none in the forward pass, then each as it runs, with its value.
    dbg.run_to(names[flow.terms[0][0]])
    ((step, into, value),) = dbg.grad_contributions()[name]
    assert (step, into) == (names[flow.terms[0][0]], intos[0])
    np.testing.assert_array_equal(value, dbg.value(step))
    dbg.run_to(names[flow.root])
    assert [t[0] for t in dbg.grad_contributions()[name]] == [names[k] for k, _ in flow.terms]
    assert dbg.plan.instrs[names.index(flow.reader)].node.phase == "update"
