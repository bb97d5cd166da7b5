"""Every kind of graph the project saves still loads through the checked loader, unchanged."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tests.fuzz.graph_files import SEED_GRAPHS
from vizflow_engine.graph import Graph, GraphFormatError


@pytest.mark.parametrize("name", sorted(SEED_GRAPHS))
def test_saved_graphs_load_back_the_same_and_run_the_same(name, tmp_path):
    g = SEED_GRAPHS[name]()
    g.save(str(tmp_path / name))
    back = Graph.load(str(tmp_path / name))
    assert json.dumps(back.to_json()) == json.dumps(g.to_json())
    assert str(back) == str(g)
    r = np.random.default_rng(0)
    feeds = [
        r.integers(0, 2, tuple(d if isinstance(d, int) else 2 for d in v.shape)).astype(v.dtype)
        for v in g.inputs
    ]
    for a, b in zip(g.compile().run(*feeds), back.compile().run(*feeds), strict=True):
        np.testing.assert_array_equal(a, b)


def test_lists_longer_than_the_cap_are_refused_before_their_entries_are_read():
    doc = SEED_GRAPHS["indexing"]().to_json()
    doc["outputs"] = ["nowhere"] * 1_000_001
    with pytest.raises(
        GraphFormatError, match=r"^\$\.outputs: has 1000001 entries; at most 1000000"
    ):
        Graph.from_json(doc)
