"""The public namespaces list their API only, and API.md (the reference) is that list."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from vizflow.api_reference import NAMESPACES, namespace_names, render

API_MD = Path(__file__).resolve().parents[1] / "API.md"
HELPERS = {"np", "math", "sys", "os", "Any", "annotations", "warnings", "Sequence", "Iterable"}


def test_api_md_is_generated_from_the_namespaces():
    assert API_MD.read_text(encoding="utf-8") == render(), (
        "API.md is stale: run `python -m vizflow.api_reference --write API.md`"
    )


@pytest.mark.parametrize("name", NAMESPACES)
def test_a_namespace_lists_no_imported_helper(name):
    listed = set(namespace_names(name))
    assert not listed & HELPERS, f"{name} lists helpers {sorted(listed & HELPERS)}"
    module = importlib.import_module(name)
    extra = {"bool", "float"} if name == "vizflow" else set()  # not star-exported: builtins
    assert set(listed) == {n for n in module.__all__ if not n.startswith("_")} | extra


def test_star_import_gives_the_api_and_vf_hides_its_own_imports():
    vf = importlib.import_module("vizflow")
    exported = set(vf.__all__)  # what `from vizflow import *` binds
    assert {"tensor", "show", "nn"} <= exported and not {"bool", "float"} & exported
    assert not exported & HELPERS
    assert all(hasattr(vf, n) for n in exported)
    assert not hasattr(vf, "sys") and not hasattr(vf, "Any")
