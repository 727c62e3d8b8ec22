"""Fields HSDS does not define, kept so they come back out on export.

Another publisher's data may carry extra fields (HSDS allows it). We keep them as one
HSDS ``attribute`` per record, against an ``extension`` term of our internal ``record``
taxonomy, with the fields as a JSON object in ``value``. That needs no schema change,
stays valid HSDS in the database (Datasette shows it), and on export the fields are put
back on the object they came with instead of being listed as an attribute.
"""

from __future__ import annotations

import json

from coventry_directory.core.ids import stable_id
from coventry_directory.core.taxonomy import RECORD_TAXONOMY, taxonomy_id, term_id

EXTENSION_CODE = "extension"
EXTENSION_TERM_ID = term_id(RECORD_TAXONOMY, EXTENSION_CODE)


def extension_attribute(table: str, record_id: str, fields: dict) -> dict:
    """The attribute row that keeps ``fields`` (not defined by HSDS) of one record."""
    return {
        "id": stable_id("attribute", table, record_id, RECORD_TAXONOMY, EXTENSION_CODE),
        "link_id": record_id,
        "link_entity": table,
        "link_type": RECORD_TAXONOMY,
        "taxonomy_term_id": EXTENSION_TERM_ID,
        "value": json.dumps(fields, ensure_ascii=False, sort_keys=True),
    }


def is_extension(attribute_row: dict) -> bool:
    """True for an attribute row that holds extension fields."""
    return attribute_row.get("taxonomy_term_id") == EXTENSION_TERM_ID


def extension_fields(attribute_row: dict) -> dict:
    """The fields an extension attribute keeps ({} if its value is not a JSON object)."""
    try:
        fields = json.loads(attribute_row.get("value") or "{}")
    except ValueError:
        return {}
    return fields if isinstance(fields, dict) else {}


def extension_taxonomy_rows() -> dict[str, list[dict]]:
    """The taxonomy and term rows extension attributes point at (inserted when needed)."""
    return {
        "taxonomy": [
            {
                "id": taxonomy_id(RECORD_TAXONOMY),
                "name": "Record",
                "description": "Keys and provenance of directory records.",
                "version": "1",
            }
        ],
        "taxonomy_term": [
            {
                "id": EXTENSION_TERM_ID,
                "code": EXTENSION_CODE,
                "name": "HSDS extension fields",
                "description": "Fields of this record that HSDS 3.0 does not define, as a JSON object.",
                "taxonomy": RECORD_TAXONOMY,
                "taxonomy_id": taxonomy_id(RECORD_TAXONOMY),
                "language": "en",
            }
        ],
    }
