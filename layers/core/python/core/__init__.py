"""The layer's shared code: the request pipeline, the store and the resources' rules.

On Lambda, importing this package pauses Python's cyclic garbage collector until the
function's init is over (`end_of_init`, called by the pipeline once the runtime is built
or a first request is answered). Why: a cold start allocates ~50,000 long-lived objects
(modules, classes, the DynamoDB client) and almost no cyclic garbage, yet those
allocations set off ~40 young collections that find ~500 objects to free and cost
40-55 ms of a ~450 ms cold start (`bench --only cold`, measured beside the same code with
the collector running). `end_of_init` then freezes what init built (`gc.freeze`: later
collections no longer walk it, which also shortens them on warm requests) and resumes
collection. Elsewhere (tests, the local API, the CLIs) the collector is never paused.

With SnapStart the init ends before the snapshot: `_end_of_snapshot_init` is the first
before-snapshot hook registered, so it runs after every other (`core.platform.snapstart`).
"""

import gc
import os

_paused = "AWS_LAMBDA_FUNCTION_NAME" in os.environ and gc.isenabled()
if _paused:
    gc.disable()


def end_of_init() -> None:
    """Freeze what init built and resume the collector; a no-op after the first call and
    outside Lambda."""
    global _paused
    if _paused:
        _paused = False
        gc.freeze()
        gc.enable()


def _end_of_snapshot_init() -> None:
    """Collect what the warm hooks left behind and freeze the rest into the snapshot."""
    end_of_init()
    gc.collect()
    gc.freeze()


from core.platform import snapstart  # noqa: E402  (after end_of_init, which it may need)

snapstart.warm(_end_of_snapshot_init)
