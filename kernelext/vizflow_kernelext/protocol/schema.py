"""Load the protocol's JSON Schema and validate messages against it."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

import jsonschema

SCHEMA_FILE = "protocol.schema.json"


class ProtocolError(ValueError):
    """A message does not match the vizflow protocol schema."""


@cache
def load_schema() -> dict[str, Any]:
    """Return the parsed protocol schema shipped beside this module."""
    text = resources.files(__package__).joinpath(SCHEMA_FILE).read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


PROTOCOL_VERSION: str = load_schema()["definitions"]["ProtocolVersion"]["const"]


@cache
def _validator(definition: str) -> jsonschema.protocols.Validator:
    schema = load_schema()
    sub = {"$ref": f"#/definitions/{definition}", "definitions": schema["definitions"]}
    validator_cls = jsonschema.validators.validator_for(schema)
    validator: jsonschema.protocols.Validator = validator_cls(sub)
    return validator


def validate_message(definition: str, message: Any) -> None:
    """Raise ProtocolError naming the first offending field if `message` is invalid."""
    error = jsonschema.exceptions.best_match(_validator(definition).iter_errors(message))
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path) or "<root>"
        raise ProtocolError(f"invalid {definition} at {where}: {error.message}")


def validate_graph_payload(payload: Any) -> None:
    """Check a GraphPayload before it is sent to the browser."""
    validate_message("GraphPayload", payload)
