"""The services each source had left out when the directory was made from its sources, kept with the directory.

Merging leaves a source's service out when it conflicts with a higher-ranked source (the
same id for another service, an organisation's id for another one: ``store.merge``). What
was left out depends on the other sources, so it is recorded in the directory each time
it is made (its ``directory_info`` key :data:`LEFT_OUT_KEY`), not in the source: ``sources``
and ``sources show`` list it, and do not count it among the source's services.
"""

from __future__ import annotations

import json
from pathlib import Path

from coventry_directory.store import database_files, hsds_rows

# {source name: [{"path": "service ID", "reason": "...; left out"}]}
LEFT_OUT_KEY = "composed_left_out"


def left_out_entry(service_id: str, why: str) -> dict[str, str]:
    """A service a source had left out when the directory was made, as its problems list it."""
    return {"path": f"service {service_id}", "reason": f"{why}; left out"}


def record(directory: Path, found: dict[str, list[tuple[str, str]]]) -> None:
    """Write into a just-made (staged) ``directory`` what it left out of each source (``found``: id, why)."""
    left_out = {name: [left_out_entry(sid, why) for sid, why in pairs] for name, pairs in found.items()}
    store = hsds_rows.open_for_writing(directory)
    try:
        hsds_rows.set_info(store, {LEFT_OUT_KEY: json.dumps(left_out, ensure_ascii=False)})
    finally:
        store.close()


def recorded(directory: Path) -> dict[str, list[dict]]:
    """What ``directory``, as last made, left out of each source ({} when nothing, or no such file)."""
    if not directory.is_file():
        return {}
    try:
        value = json.loads(database_files.read_info(directory).get(LEFT_OUT_KEY) or "{}")
    except ValueError:
        return {}
    if not isinstance(value, dict):
        return {}
    return {
        str(name): [e for e in entries if isinstance(e, dict)]
        for name, entries in value.items()
        if isinstance(entries, list)
    }
