"""Scope paths as the viewer shows them: numbered module calls, module class names, and each
parameter or buffer in the scope of the module that owns it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from vizflow_engine.scope import ScopePath, is_instance, numbered_scopes, scope_owners


def _prefixes(path: str) -> list[str]:
    """ "a/b/c" -> ["a", "a/b", "a/b/c"] ("" has none)."""
    if not path:
        return []
    parts = path.split("/")
    return ["/".join(parts[: i + 1]) for i in range(len(parts))]


def _owned_by(owners: dict[str, ScopePath]) -> dict[int, str]:
    """id of each parameter/buffer -> the recorded scope path of the module holding it
    directly (the first such path when the module ran under several)."""
    owned: dict[int, str] = {}
    for path in sorted(owners):
        owner = owners[path].module()
        holders = (getattr(owner, "_parameters", {}), getattr(owner, "_buffers", {}))
        for held in holders:
            for tensor in held.values():
                if tensor is not None:
                    owned.setdefault(id(tensor), path)
    return owned


def _named_path(name: str, recorded: set[str]) -> str | None:
    """The recorded module path a parameter's qualified name gives ("0.weight" -> "0"), or
    None: for a graph whose modules are gone, or a loaded one, which know no module to ask."""
    if "." not in name:
        return None
    path = name.rsplit(".", 1)[0].replace(".", "/")
    return path if path in recorded else None


def place_scopes(nodes: list[dict[str, Any]], leaves: Mapping[str, Any]) -> dict[str, str]:
    """Rename every node's scope to its shown form (`cell` -> `cell[0]` when the module also
    ran as `cell[1]`) and give each leaf node (id -> its tensor in `leaves`, or the variable
    of a loaded graph, which no module holds) the scope of the module owning it (the
    instances' parent when that module ran in numbered instances);
    returns scope_types, shown path -> module class name."""
    owners = scope_owners(n["scope"] for n in nodes)  # before any scope is renamed
    recorded = {p for n in nodes for p in _prefixes(n["scope"])}
    owned = _owned_by(owners)
    for node in nodes:
        tensor = leaves.get(node["id"])
        if tensor is None:
            continue
        path = owned.get(id(tensor)) or _named_path(node["name"], recorded)
        if path is not None:
            node["scope"] = path
    shown = numbered_scopes(recorded)
    for node in nodes:
        path = shown.get(node["scope"], node["scope"])
        if node["id"] in leaves and is_instance(path):
            path = path.rsplit("/", 1)[0] if "/" in path else ""
        node["scope"] = path
    return {shown[path]: p.owner_type for path, p in owners.items() if p.owner_type}
