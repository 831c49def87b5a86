"""Pausing Python's cyclic garbage collector while a batch builds many small objects.

Reading, checking and writing a file of 100 000 values creates millions of small objects that
live until the batch ends; the collector runs every 700 allocations and walks them all again and
again, which cost half of an import's time. Those objects hold no reference cycles worth
collecting mid-batch, so collection waits until the batch is over (reference counting still frees
what is dropped). The pause is process-wide: other threads of a server allocate without cyclic
collection for the few seconds an import lasts, which is harmless.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_depth = 0


@contextmanager
def paused_collection() -> Iterator[None]:
    """Run the block without cyclic garbage collection; nested and threaded uses are counted,
    and collection resumes (if it was on) when the last one ends."""
    global _depth
    with _lock:
        if _depth == 0:
            _paused.was_enabled = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _paused.was_enabled:
                gc.enable()


class _Paused:
    was_enabled = True


_paused = _Paused()
