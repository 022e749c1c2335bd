"""The local table kept across restarts of `make run`, as Stripe keeps its test mode's data.

moto's DynamoDB lives in memory. A snapshot file holds the table's items (DynamoDB JSON):
the server restores them into the new table when it starts, and saves them again a
moment after the emulator applies a write (and when it stops), so a restart finds the
sandbox partner, its keys and everything made with them. The file is replaced
atomically (a crash mid-save leaves the previous one); a kill loses at most the writes
since the last save. A save scans the whole table through the emulator, which answers
one request at a time, so the wait after a save is at least `SAVE_SHARE` times what it
took: saving takes at most about a fifth of the emulator's time, however large the table
grows (`interval` seconds on a small one). Streams are not kept: a
restarted table's stream starts empty. `localapi serve --fresh` (`make run FRESH=1`)
deletes the file and starts anew.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from localapi.dynamodb import writes_applied

VERSION = 1
BATCH = 25  # BatchWriteItem's limit
# The wait after a save is at least this many times the save's duration.
SAVE_SHARE = 4


class SnapshotError(Exception):
    """The snapshot file cannot be used (unreadable, another table, another version)."""


class TableSnapshot:
    """Restore `table_name` from `path`, then keep `path` up to date from `client`."""

    def __init__(
        self,
        path: Path,
        client: Any,
        table_name: str,
        *,
        interval: float = 2.0,
        changes: Callable[[], int] = writes_applied,
    ) -> None:
        self.path = path
        self.client = client
        self.table_name = table_name
        self.interval = interval
        self._changes = changes
        self._saved_at = changes()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._last_save_seconds = 0.0

    def restore(self) -> int:
        """Put the file's items into the (empty) table; how many. No file: 0."""
        try:
            document = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return 0
        except (OSError, ValueError) as exc:
            raise SnapshotError(f"{self.path} is not a snapshot ({exc}); start with --fresh") from None
        if not isinstance(document, dict) or document.get("version") != VERSION:
            raise SnapshotError(f"{self.path}: unknown snapshot version; start with --fresh")
        if document.get("tableName") != self.table_name:
            raise SnapshotError(
                f"{self.path} holds table {document.get('tableName')!r}, not {self.table_name!r}"
            )
        items = document.get("items") or []
        for start in range(0, len(items), BATCH):
            requests = [{"PutRequest": {"Item": item}} for item in items[start : start + BATCH]]
            pending: dict[str, Any] = {self.table_name: requests}
            while pending:
                pending = self.client.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}
        self._saved_at = self._changes()
        return len(items)

    def save(self) -> int:
        """Write every item of the table to the file (atomically); how many."""
        with self._lock:
            started = time.perf_counter()
            changes = self._changes()
            items: list[dict[str, Any]] = []
            for page in self.client.get_paginator("scan").paginate(
                TableName=self.table_name, ConsistentRead=True
            ):
                items.extend(page.get("Items", []))
            document = {"version": VERSION, "tableName": self.table_name, "items": items}
            self.path.parent.mkdir(parents=True, exist_ok=True)
            temporary = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
            fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(document, handle, separators=(",", ":"))
            os.replace(temporary, self.path)
            self._saved_at = changes
            self._last_save_seconds = time.perf_counter() - started
            return len(items)

    def save_if_changed(self) -> bool:
        if self._changes() == self._saved_at:
            return False
        self.save()
        return True

    def start(self) -> None:
        """Save in a daemon thread, `interval` seconds after changes."""
        self._thread = threading.Thread(target=self._run, name="snapshot", daemon=True)
        self._thread.start()

    def next_wait(self) -> float:
        """Seconds until the next save: `interval`, or longer after a slow save."""
        return max(self.interval, SAVE_SHARE * self._last_save_seconds)

    def _run(self) -> None:
        while not self._stop.wait(self.next_wait()):
            self.save_if_changed()

    def stop(self) -> None:
        """Stop the thread and save what changed since the last save."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        self.save_if_changed()
