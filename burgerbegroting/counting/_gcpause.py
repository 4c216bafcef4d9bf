"""Pause Python's cyclic garbage collector while building many small objects."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """Reading a large file creates hundreds of thousands of tuples and ballots, none of them
    in reference cycles; the collector's repeated passes over them cost about a third of the
    reading time (Warszawa 2026: 0.42 s -> 0.28 s).  Nested use is fine."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
