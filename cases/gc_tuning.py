"""Keep full garbage collections short in a long-running server process.

A request through the ORM leaves a couple of thousand objects in reference
cycles (model instances and their prefetch caches), so CPython's cyclic
collector runs a full collection every thirty-odd requests. A full
collection walks every tracked object in the process: Django's URL
resolvers, templates, models and the catalog engine, some 80,000 objects,
which took ~40 ms on the benchmark machine and set the p95 of the search
pages.

``gc.freeze()`` moves every object alive at that moment into a permanent
generation that collections skip. Doing it once the process has served its
first requests (when lazily built structures such as URL resolvers,
compiled templates and the catalog bitmaps exist) leaves full collections
only the objects of recent requests to walk. Each freeze is preceded by a
full collection so no garbage is frozen. The request numbers come from the
setting ``GC_FREEZE_AFTER_REQUESTS`` (empty: never freeze).
"""

from __future__ import annotations

import gc
import itertools
import threading

from django.conf import settings

_served = itertools.count(1)
_lock = threading.Lock()


def freeze_after_warm_up(**kwargs) -> None:
    """request_finished receiver: collect and freeze after the configured request numbers."""
    with _lock:
        served = next(_served)
    if served in getattr(settings, "GC_FREEZE_AFTER_REQUESTS", ()):
        gc.collect()
        gc.freeze()
