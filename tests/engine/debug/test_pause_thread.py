"""resume() runs on a worker thread: the caller's thread stays free and pause() stops it."""

from __future__ import annotations

import threading

import numpy as np
import pytest

import vizflow_engine as vf

from .models import chain_graph


def test_pause_a_running_session_from_the_kernel_thread() -> None:
    dbg = vf.debug(chain_graph(200), np.ones(3))
    reached, gate = threading.Event(), threading.Event()

    def hold_at_five(ev: object) -> bool:
        if getattr(ev, "index", None) == 5:
            reached.set()
            gate.wait(10)
        return False

    dbg.break_at(None, when=hold_at_five)
    assert dbg.resume() is None  # returns at once: the run goes on in a worker thread
    assert reached.wait(10)
    assert dbg.state == "running"
    with pytest.raises(RuntimeError, match="pause"):
        dbg.step()
    assert float(vf.ones(4).sum()) == 4.0  # the kernel thread computes meanwhile
    dbg.pause(timeout=0)  # asks the worker to stop after the node it is on
    gate.set()
    assert dbg.wait(10) == "paused"
    assert dbg.current is not None and dbg.current.index == 5
    assert dbg.resume(block=True) is None and dbg.state == "finished"
