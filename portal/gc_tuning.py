"""Keep full garbage collections short in a long-running server process (a server setting, not the app's).

A request through the ORM leaves a couple of thousand objects in reference
cycles, so CPython's cyclic collector runs a full collection every
thirty-odd requests. A full collection walks every tracked object in the
process: Django's URL resolvers, templates, models and the search engine's
catalog index, some 80,000 objects, which took ~40 ms on the benchmark
machine and set the p95 of the search pages.

``gc.freeze()`` moves every object alive at that moment into a permanent
generation that collections skip. Doing it once the process has served its
first requests (when lazily built structures exist) leaves full collections
only the objects of recent requests to walk. Each freeze is preceded by a
full collection so no garbage is frozen.

The gunicorn configuration (deploy/gunicorn.conf.py) calls
``WarmUpFreeze.request_done`` after every request of a worker; the
benchmark does the same in its own process.
"""

from __future__ import annotations

import gc
import threading

FREEZE_AFTER_REQUESTS = (1, 10, 50)


class WarmUpFreeze:
    def __init__(self, after: tuple[int, ...] = FREEZE_AFTER_REQUESTS):
        self.after = set(after)
        self.served = 0
        self.frozen_after: list[int] = []  # the request counts after which this freezer froze
        self.lock = threading.Lock()

    def request_done(self, *args, **kwargs) -> None:
        with self.lock:
            self.served += 1
            served = self.served
        if served in self.after:
            gc.collect()
            gc.freeze()
            self.frozen_after.append(served)
