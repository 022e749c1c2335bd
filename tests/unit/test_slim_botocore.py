"""layers/core/slim_botocore.py: the layer's botocore keeps the services the layer calls
(DynamoDB, SQS, KMS) working exactly as the stock botocore does, and nothing else."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bench_suite import ROOT, layer_botocore

LAYER = ROOT / "layers" / "core" / "python" / "core"

# Each region's endpoint and operations of every kept service, as a client built on
# `sys.path`'s botocore sees them; printed as JSON.
PROBE = r"""
import json, sys
sys.path.insert(0, sys.argv[1]) if sys.argv[1] else None
import botocore, botocore.session
from botocore.config import Config
from botocore.exceptions import UnknownServiceError
session = botocore.session.get_session()
out = {"botocore": botocore.__file__, "endpoints": {}}
for service in ("dynamodb", "sqs", "kms"):
  for region in ("us-east-1", "eu-west-1", "ap-southeast-2", "cn-north-1", "us-gov-west-1", "us-iso-east-1"):
    for fips in (False, True):
        client = session.create_client(
            service, region_name=region, config=Config(use_fips_endpoint=fips),
            aws_access_key_id="x", aws_secret_access_key="y",
        )
        out["endpoints"][f"{service} {region} fips={fips}"] = [
            client.meta.endpoint_url, client.meta.region_name, client.meta.partition,
            sorted(client.meta.service_model.operation_names),
        ]
try:
    session.create_client("s3", region_name="us-east-1")
    out["s3"] = "created"
except UnknownServiceError:
    out["s3"] = "unknown"
print(json.dumps(out))
"""


def _probe(path: str) -> dict:
    env = {**os.environ, "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull}
    done = subprocess.run(
        [sys.executable, "-c", PROBE, path], capture_output=True, text=True, env=env, check=True
    )
    return json.loads(done.stdout)


def test_the_trimmed_botocore_builds_the_same_clients_of_the_kept_services_and_no_other():
    deployed = layer_botocore.deployed_dir()
    stock, slim = _probe(""), _probe(str(deployed))
    assert slim["botocore"].startswith(str(deployed))
    assert not stock["botocore"].startswith(str(deployed))
    assert slim["endpoints"] == stock["endpoints"]
    assert "TransactWriteItems" in slim["endpoints"]["dynamodb us-east-1 fips=False"][3]
    assert "SendMessage" in slim["endpoints"]["sqs us-east-1 fips=False"][3]
    assert "Decrypt" in slim["endpoints"]["kms us-east-1 fips=False"][3]
    assert slim["s3"] == "unknown" and stock["s3"] == "created"


def _services_the_layer_calls() -> set[str]:
    """Every service named where the layer makes a client: `aws.client("sqs")` and the
    store's `create_client("dynamodb", ...)`."""
    named = set()
    for source in LAYER.rglob("*.py"):
        named |= set(re.findall(r"(?:\bclient|create_client)\(\s*[\"']([a-z0-9-]+)[\"']", source.read_text()))
    return named


def test_the_kept_services_are_exactly_those_the_layer_makes_clients_of():
    # A function calling a service the trimmed botocore lacks fails only once deployed
    # (UnknownServiceError), so the list is tied to the code here.
    called = _services_the_layer_calls()
    assert {"dynamodb", "sqs", "kms"} <= called
    assert set(layer_botocore.slim_module().SERVICES) == called


def test_slim_keeps_the_shared_files_and_reduces_endpoints_to_the_kept_services():
    data = layer_botocore.deployed_dir() / "botocore" / "data"
    assert sorted(p.name for p in data.iterdir() if p.is_dir()) == ["dynamodb", "kms", "sqs"]
    assert {"_retry.json", "partitions.json", "sdk-default-configuration.json", "endpoints.json"} <= {
        p.name for p in data.iterdir()
    }
    endpoints = json.loads((data / "endpoints.json").read_text())
    assert all(set(part["services"]) <= {"dynamodb", "kms", "sqs"} for part in endpoints["partitions"])
    assert set(endpoints["partitions"][0]["services"]) == {"dynamodb", "kms", "sqs"}


def test_slim_refuses_a_folder_that_is_not_botocore(tmp_path: Path):
    slim = layer_botocore.slim_module()
    with pytest.raises(FileNotFoundError, match="not botocore's data folder"):
        slim.slim(tmp_path)
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "endpoints.json").write_text('{"partitions": []}')
    with pytest.raises(FileNotFoundError, match="no folder for dynamodb"):
        slim.slim(tmp_path)


# The DynamoDB service models (each API version) as botocore's loader reads them, and
# whether any documentation string is left; printed as JSON.
MODELS = r"""
import json, sys
sys.path.insert(0, sys.argv[1]) if sys.argv[1] else None
import botocore.session
loader = botocore.session.get_session().get_component("data_loader")
versions = loader.list_api_versions("dynamodb", "service-2")
print(json.dumps({v: loader.load_service_model("dynamodb", "service-2", api_version=v) for v in versions}))
"""


def _models(path: str) -> dict:
    done = subprocess.run([sys.executable, "-c", MODELS, path], capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def _documentation_strings(node: object) -> int:
    if isinstance(node, dict):
        return sum(
            (key == "documentation" and isinstance(value, str)) + _documentation_strings(value)
            for key, value in node.items()
        )
    if isinstance(node, list):
        return sum(_documentation_strings(value) for value in node)
    return 0


def test_the_trimmed_service_models_are_the_stock_ones_without_their_documentation():
    slim = layer_botocore.slim_module()
    stock, trimmed = _models(""), _models(str(layer_botocore.deployed_dir()))
    assert set(trimmed) == set(stock) and "2012-08-10" in stock
    assert all(_documentation_strings(model) > 100 for model in stock.values())
    assert all(_documentation_strings(model) == 0 for model in trimmed.values())
    assert trimmed == {version: slim.without_documentation(model) for version, model in stock.items()}
    # every operation, shape and member survives: only the help text went
    latest = max(stock)
    assert set(trimmed[latest]["operations"]) == set(stock[latest]["operations"])
    assert set(trimmed[latest]["shapes"]) == set(stock[latest]["shapes"])


def test_a_member_named_documentation_is_not_documentation():
    slim = layer_botocore.slim_module()
    shape = {
        "type": "structure",
        "documentation": "<p>help</p>",
        "members": {"documentation": {"shape": "String", "documentation": "<p>the member's help</p>"}},
    }
    assert slim.without_documentation(shape) == {
        "type": "structure",
        "members": {"documentation": {"shape": "String"}},
    }
