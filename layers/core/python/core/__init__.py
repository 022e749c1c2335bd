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
