"""The JSON Schema of the call record, generated from the model (`store.call_record`).

    python -m store.call_record_schema > docs/call-record.schema.json

The committed file is what integrators validate against; a test keeps it current.
"""

from __future__ import annotations

import json
from typing import Any

from store.call_record import SCHEMA_VERSION, CallRecord

JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_ID = f"urn:consent-agent:call-record:{SCHEMA_VERSION}"


def call_record_schema() -> dict[str, Any]:
    """The schema of every delivered payload (`type: call.ended`)."""
    schema = CallRecord.model_json_schema(mode="serialization")
    schema.pop("title", None)
    return {
        "$schema": JSON_SCHEMA_DIALECT,
        "$id": SCHEMA_ID,
        "title": f"Call record (call.ended), schema version {SCHEMA_VERSION}",
        **schema,
    }


def rendered() -> str:
    return json.dumps(call_record_schema(), indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    print(rendered(), end="")
