"""The request platform: what every endpoint shares and no resource owns.

Events in and responses out (`http`, `web`), the pipeline that every handler runs
(`pipeline`: size limit, API key, signature, scope, validation, idempotency, one
transaction), errors and their envelope, the store and its key shapes, ids, clock,
configuration, observability, pagination, routing of unmatched requests, the event
outbox and the customer deactivation cascade's registry. It imports no resource family
(an import-linter contract in `make lint` keeps it so); families plug into it.
"""
