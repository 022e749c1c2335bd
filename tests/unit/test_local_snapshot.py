"""The local table's snapshot file (`localapi.snapshot`): what it refuses, and that it
saves only after a write."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from localapi import snapshot
from localapi.snapshot import VERSION, SnapshotError, TableSnapshot


class FakeClient:
    """Just what the snapshot calls: BatchWriteItem (one unprocessed round) and Scan."""

    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []
        self.unprocessed_once = True

    def batch_write_item(self, RequestItems: dict[str, Any]) -> dict[str, Any]:
        (table, requests), *_ = RequestItems.items()
        if self.unprocessed_once and len(requests) > 1:
            self.unprocessed_once = False  # DynamoDB may hand some back: they are sent again
            self.items.extend(r["PutRequest"]["Item"] for r in requests[:1])
            return {"UnprocessedItems": {table: requests[1:]}}
        self.items.extend(r["PutRequest"]["Item"] for r in requests)
        return {"UnprocessedItems": {}}

    def get_paginator(self, name: str) -> Any:
        items = self.items

        class Paginator:
            def paginate(self, **kwargs: Any) -> list[dict[str, Any]]:
                return [{"Items": items[:2]}, {"Items": items[2:]}]

        return Paginator()


def items(count: int) -> list[dict[str, Any]]:
    return [{"PK": {"S": "T#t"}, "SK": {"S": f"item#{i}"}} for i in range(count)]


def test_a_saved_table_is_restored_whole(tmp_path: Path) -> None:
    writes = [0]
    source = FakeClient()
    source.items = items(60)
    path = tmp_path / "table.json"
    saver = TableSnapshot(path, source, "t", changes=lambda: writes[0])
    assert saver.save_if_changed() is False  # nothing written since it was made
    writes[0] += 1
    assert saver.save_if_changed() is True
    assert path.stat().st_mode & 0o777 == 0o600
    target = FakeClient()
    assert TableSnapshot(path, target, "t", changes=lambda: 0).restore() == 60
    assert target.items == source.items


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json", "is not a snapshot"),
        (json.dumps({"version": VERSION + 1, "tableName": "t", "items": []}), "unknown snapshot version"),
        (json.dumps({"version": VERSION, "tableName": "other", "items": []}), "holds table 'other'"),
    ],
)
def test_an_unusable_snapshot_is_refused_with_its_reason(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "table.json"
    path.write_text(content)
    with pytest.raises(SnapshotError, match=message):
        TableSnapshot(path, FakeClient(), "t").restore()


def test_no_file_restores_nothing(tmp_path: Path) -> None:
    assert TableSnapshot(tmp_path / "absent.json", FakeClient(), "t").restore() == 0


def test_a_slow_save_spaces_out_the_next_ones(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The saver's share of the emulator stays bounded: after a save that took S seconds it
    waits at least SAVE_SHARE x S (never less than the interval)."""
    saver = TableSnapshot(tmp_path / "table.json", FakeClient(), "t", interval=2.0, changes=lambda: 0)
    assert saver.next_wait() == 2.0
    ticks = iter([100.0, 103.0])  # the save took 3 s
    monkeypatch.setattr(snapshot.time, "perf_counter", lambda: next(ticks))
    saver.save()
    assert saver.next_wait() == snapshot.SAVE_SHARE * 3.0
