"""Graph-file fuzzing in `make test`: 2,000+ mutations of real saved graphs, fixed seed.

Every case must be refused with a clear GraphFormatError, or (only when no mutation made it
certainly invalid) load into a graph that re-saves and runs raising nothing but a
VizflowError; code payloads in names and params must never run. The long run is
benchmarks/fuzz_graph_files.py.
"""

from __future__ import annotations

import random
import warnings

import numpy as np
import pytest

from .graph_files import BAD, MAYBE, SENTINEL, Case, Tally, fuzz, judge, mutate, seeds

N_CASES = 2_000


@pytest.fixture(autouse=True)
def _quiet():
    """Mutated params make overflowing runs; their warnings are not the test's concern."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        yield


def test_mutated_graph_files_are_refused_clearly_or_valid():
    tally = fuzz(N_CASES, seed=20261204, budget_s=120)
    print(tally.line())
    assert tally.other == 0, "\n".join([tally.line(), *tally.examples])
    assert tally.tried == N_CASES  # the budget is a guard for slow machines, not the plan
    assert tally.rejected > N_CASES // 2 and tally.accepted > N_CASES // 20 and tally.ran > 0


def test_every_mutation_is_exercised_and_each_bad_one_is_refused():
    rng = random.Random(7)
    pool = seeds()
    for name, mutation in {**BAD, **MAYBE}.items():
        tally = Tally()
        applied = 0
        for k in range(12):
            c = Case(pool[k % len(pool)], rng)
            if mutation(c):
                applied += 1
                c.done.append(name)
                c.bad = name in BAD
                judge(c, tally)
        assert applied, f"{name} never applied"
        assert tally.other == 0, "\n".join([name, tally.line(), *tally.examples])
        if name in BAD:
            assert tally.rejected == tally.tried, name


def test_the_judge_catches_code_that_runs_and_silent_acceptance():
    """The sentinel and the bad/maybe labels are live: a case that runs code or accepts a
    certainly-invalid file counts as `other`."""
    import builtins

    pool = seeds()
    tally = Tally()
    c = Case(pool[0], random.Random(0))
    c.bad = True  # labelled invalid, but unchanged: loading it accepts it
    judge(c, tally)
    setattr(builtins, SENTINEL, 1)  # as if loading had run a payload
    judge(Case(pool[0], random.Random(0)), tally)
    assert tally.other == 2 and not hasattr(builtins, SENTINEL)
    assert "accepted" in tally.examples[0] and "CODE RAN" in tally.examples[1]


def test_the_engines_schema_validator_agrees_with_jsonschema():
    """graph.schema.json is checked by the engine's own validator (the engine needs numpy
    only); on 250 mutated documents it refuses whatever the reference implementation refuses,
    and accepts only documents the reference accepts."""
    jsonschema = pytest.importorskip("jsonschema")
    from vizflow_engine.graph import GraphFormatError
    from vizflow_engine.graph.load import check_document
    from vizflow_engine.graph.serialize import schema

    base = jsonschema.Draft202012Validator
    base.check_schema(schema())
    # ours (like JSON itself) keeps 2.0 a number, not an integer: tell the reference so
    strict = base.TYPE_CHECKER.redefine("integer", lambda _, v: type(v) is int)
    reference = jsonschema.validators.extend(base, type_checker=strict)(schema())
    rng = random.Random(3)
    pool = seeds()
    compared = 0
    for _ in range(250):
        c = mutate(rng.choice(pool), rng)
        if c.text is not None:
            continue
        try:
            check_document(c.doc)
            ours = True
        except GraphFormatError as exc:
            ours = False
            if "nested" in exc.reason:
                continue  # ours stops at depth 48; the reference has no such limit
        if isinstance(c.doc, dict) and type(c.doc.get("version")) is float:
            continue  # ours wants the integer 1; JSON Schema's const 1 also matches 1.0
        theirs = reference.is_valid(c.doc)
        assert ours <= theirs, f"accepted what jsonschema refuses: {c.done}"
        assert theirs <= ours, f"refused what jsonschema accepts: {c.done}"
        compared += 1
    assert compared > 180
