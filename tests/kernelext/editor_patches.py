"""The browser's rule for an EditorDocumentPatch, in Python (the tests' oracle; the
labextension applies the same rule in editor/model/document.ts)."""

from __future__ import annotations

from typing import Any

Json = dict[str, Any]


def _merge(items: list[Json], patch_items: list[Json], removed: list[str]) -> list[Json]:
    """Drop the removed, replace the changed in place, append the new in the given order."""
    gone = set(removed)
    given = {x["id"]: x for x in patch_items}
    kept = [given.pop(x["id"], x) for x in items if x["id"] not in gone]
    return kept + [x for x in patch_items if x["id"] in given]


def apply_patch(doc: Json, patch: Json) -> Json:
    """The document after `patch`; AssertionError when it does not follow `doc`'s version."""
    assert patch["kind"] == "editor_patch"
    assert patch["base_version"] == doc["version"], (patch["base_version"], doc["version"])
    nodes = _merge(doc["nodes"], patch["nodes"], patch["removed_nodes"])
    if "node_order" in patch:
        by_id = {n["id"]: n for n in nodes}
        nodes = [by_id[i] for i in patch["node_order"]]
    groups = _merge(doc["groups"], patch["groups"], patch["removed_groups"])
    if "group_order" in patch:
        by_id = {g["id"]: g for g in groups}
        groups = [by_id[i] for i in patch["group_order"]]
    edges = _merge(doc["edges"], patch["edges"], patch["removed_edges"])
    return {
        "version": patch["version"],
        "name": patch.get("name", doc["name"]),
        "nodes": nodes,
        "edges": sorted(edges, key=lambda e: e["id"]),
        "groups": groups,
        "outputs": patch.get("outputs", doc["outputs"]),
        "updates": patch.get("updates", doc["updates"]),
    }
