"""Python's cyclic garbage collector, paused for a pass over the whole ledger.

A pass over every entry (``verify``, a replay, ``verify --bundle``) keeps thousands of entries
alive at once (a batch of parsed envelopes, the replay's pending postings, the rows it carries),
and allocates millions of containers. Each time the collector's counters fill, it walks the
objects of a generation; about one time in a hundred, all of them: those entries, and everything
the process imported (SQLAlchemy, the contracts). Measured on a replay of 90,220 entries
(``bench/RESULTS.md`` §16): 10–15 % of its time, for nothing. These passes make no reference cycles
of their own, so reference counting frees what they allocate: that replay, collector paused, left
272 objects only a collection could free (``tests/test_replay.py`` holds the bound on a verify).

:func:`paused` turns the collector off for the pass and back on when the last pass of the process
ends (passes may nest, or run in threads of a service); it leaves a collector someone else turned
off as it was. A forked worker inherits the state of its parent: the stretches of a verify run
paused too.
"""

from __future__ import annotations

import gc
import threading
from contextlib import contextmanager
from typing import Iterator

__all__ = ["paused"]

_lock = threading.Lock()
_passes = 0  # passes running in this process
_resume = False  # whether the collector was on when the first of them began


@contextmanager
def paused() -> Iterator[None]:
    global _passes, _resume
    with _lock:
        if _passes == 0:
            _resume = gc.isenabled()
            gc.disable()
        _passes += 1
    try:
        yield
    finally:
        with _lock:
            _passes -= 1
            if _passes == 0 and _resume:
                gc.enable()
