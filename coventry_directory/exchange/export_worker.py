"""An export's worker processes: each writes batches of services as JSON text, from a connection of its own.

Apart from ``hsds_json`` (which runs the pool) so that a worker imports only what it uses:
a spawned worker is a fresh interpreter, and every module it imports is read again (and,
in a source checkout, compiled again).

A batch's text goes back to the exporting process through shared memory when it can: a
slot per batch in flight, named by the task. Through the pool's pipe, a national export's
350 MB would be pickled, piped both ways, unpickled and encoded: five copies, not two.
"""

from __future__ import annotations

import gc
from typing import TYPE_CHECKING

from coventry_directory.exchange import nest
from coventry_directory.store.hsds_batches import ReadOnlyFile, Survey, map_for_reading

if TYPE_CHECKING:
    from multiprocessing.shared_memory import SharedMemory

# bytes of the directory file each worker reads mapped: a national directory (300 MB) almost
# whole, about a tenth faster; a larger one is read the usual way past this
MAP_BYTES = 256 << 20
SLOT_BYTES = 8 << 20  # room for one batch's text in shared memory (a national directory's are about 2 MB)
_file: ReadOnlyFile | None = None
_slots: SharedMemory | None = None
_slot_bytes = 0
_nester: nest.Nester | None = None  # this process's nester, kept for all its batches


def start(path: str, slots: str | None = None, slot_bytes: int = SLOT_BYTES) -> None:
    """Open the directory file read-only, and the shared memory named ``slots`` (the pool's initializer).

    A file that is not a database stops the pool here.
    """
    global _file, _slots, _slot_bytes
    _file = ReadOnlyFile(path)
    map_for_reading(_file, MAP_BYTES)
    if slots is not None:
        from multiprocessing.shared_memory import SharedMemory  # only where the exporting process has it too

        _slots, _slot_bytes = SharedMemory(slots), slot_bytes
    # a batch's rows make no reference cycles, only many objects: collecting after every
    # 700 of them (the default) took a twentieth of a worker's time
    gc.set_threshold(20_000, 20, 100)


def ready() -> None:
    """Nothing: a first task, so that the pool starts this worker at once."""


def batch_text(first: int, last: int, slot: int | None = None, survey: Survey | None = None) -> str | int:
    """The texts of the services whose rowids are ``first`` to ``last``, joined as the export's list joins them.

    With a ``slot``, the text goes into that slot of the shared memory as UTF-8, and what is
    returned is its length in bytes; a text too long for a slot is returned as it is.
    ``survey`` is what the exporting process found out about the tables, sent with the
    first batches; a worker that gets none finds it out itself.
    """
    global _nester
    if _nester is None:
        assert _file is not None
        _nester = nest.Nester(_file, survey)
    text = ",\n  ".join(_nester.texts(_nester.reader.rows_between("service", first, last)))  # as write_services
    if _slots is None or slot is None:
        return text
    data = text.encode()
    if len(data) > _slot_bytes:
        return text
    _slots.buf[slot * _slot_bytes : slot * _slot_bytes + len(data)] = data
    return len(data)
