"""Trim a botocore package to the AWS services the functions call (DynamoDB, SQS, KMS).

Why: every function creates one DynamoDB client, and botocore's loader then lists all
~450 service folders under botocore/data (to check the service exists) and parses
endpoints.json (1.25 MB: every service's endpoints in every partition). Measured with
`bench --only cold` on 2 vCPUs: client creation 85-140 ms with the full data, 30-55 ms
trimmed, on every cold start. The layer needs none of the rest: its code calls DynamoDB
everywhere and SQS and KMS in the webhook functions (core/platform/aws.py; a unit test
checks this list against every service the layer names), and Lambda hands it credentials
in environment variables (no STS or SSO call).

What stays: the files at the top of botocore/data (retry rules, partitions, SDK
defaults, endpoints.json with each partition's `services` reduced to the kept ones) and
the kept services' folders, whose service models (service-2.json) lose their
`documentation` strings: HTML help text that only docstrings and `help()` read, 78% of
DynamoDB's model (556 KB of JSON -> 121 KB), parsed at every client creation (~3 ms).
Everything else under botocore/data goes.

Used by the layer's Makefile after pip has installed the layer (`python slim_botocore.py
DIR`), and by the benchmark on a copy of the development botocore, so that the cold
start it reports is the deployed one. Standard library only: `sam build` runs it with
whatever python3.13 builds the layer.
"""

from __future__ import annotations

import gzip
import json
import shutil
import sys
from pathlib import Path

SERVICES = ("dynamodb", "kms", "sqs")


def slim(botocore_dir: Path, services: tuple[str, ...] = SERVICES) -> list[str]:
    """Remove every service folder of `botocore_dir`/data but `services`, and those
    services' entries from endpoints.json; returns the removed folders' names."""
    data = botocore_dir / "data"
    if not (data / "endpoints.json").is_file():
        raise FileNotFoundError(f"{data} is not botocore's data folder (no endpoints.json)")
    missing = [name for name in services if not (data / name).is_dir()]
    if missing:
        raise FileNotFoundError(f"{data} has no folder for {', '.join(missing)}")
    removed = []
    for entry in sorted(data.iterdir()):
        if entry.is_dir() and entry.name not in services:
            shutil.rmtree(entry)
            removed.append(entry.name)
    endpoints_file = data / "endpoints.json"
    endpoints = json.loads(endpoints_file.read_text(encoding="utf-8"))
    for partition in endpoints["partitions"]:
        partition["services"] = {
            name: entry for name, entry in partition["services"].items() if name in services
        }
    endpoints_file.write_text(json.dumps(endpoints, separators=(",", ":")), encoding="utf-8")
    for name in services:
        for model in (data / name).glob("*/service-2.json*"):
            _strip_documentation(model)
    return removed


def without_documentation(node: object) -> object:
    """`node` without its `documentation` strings. Only string values go: a structure
    member named `documentation` (a dict, the member's shape reference) stays."""
    if isinstance(node, dict):
        return {
            key: without_documentation(value)
            for key, value in node.items()
            if not (key == "documentation" and isinstance(value, str))
        }
    if isinstance(node, list):
        return [without_documentation(value) for value in node]
    return node


def _strip_documentation(model: Path) -> None:
    """Rewrite one service model (`.json` or `.json.gz`, as botocore's loader reads
    either) without its documentation strings."""
    zipped = model.suffix == ".gz"
    raw = gzip.decompress(model.read_bytes()) if zipped else model.read_bytes()
    out = json.dumps(without_documentation(json.loads(raw)), separators=(",", ":")).encode()
    model.write_bytes(gzip.compress(out, mtime=0) if zipped else out)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: slim_botocore.py SITE_PACKAGES_DIR  (the folder that holds botocore/)")
    gone = slim(Path(sys.argv[1]) / "botocore")
    print(f"botocore/data: kept {', '.join(SERVICES)}; removed {len(gone)} service folders")
