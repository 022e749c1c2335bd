"""A DynamoDB-compatible endpoint on loopback: moto's server, in this process.

Real tools work against it: boto3 or the AWS CLI with `--endpoint-url <endpoint_url>`
(any credentials, region us-east-1). Its data lives in memory and ends with the process.
"""

from __future__ import annotations

import threading
from typing import Any

from localapi.template import Template, table_definition, time_to_live

LOOPBACK = "127.0.0.1"
REGION = "us-east-1"
# moto accepts any credentials; these only keep boto3 from looking for real ones.
DUMMY_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}


_EMULATOR_LOCK = threading.RLock()


def serialise_emulator() -> None:
    """Make moto's DynamoDB handle one request at a time.

    moto's in-memory tables are not thread-safe (a transaction deep-copies a table while
    another thread writes it, and fails with "dictionary changed size"). DynamoDB applies
    each request atomically, so serialising requests at the emulator is faithful, and
    concurrent requests to the local API (or racing tests) stay real races between our
    reads and conditional writes. Idempotent; applies to the server and to `mock_aws`.
    """
    from moto.dynamodb.responses import DynamoHandler

    if getattr(DynamoHandler.call_action, "serialised", False):
        return
    original = DynamoHandler.call_action

    def call_action(self: Any) -> Any:
        with _EMULATOR_LOCK:
            return original(self)

    call_action.serialised = True  # type: ignore[attr-defined]
    DynamoHandler.call_action = call_action  # type: ignore[method-assign]


def create_table(
    client: Any, table_name: str, template: Template | None = None, *, logical_id: str | None = None
) -> None:
    """Create template.yaml's table as `table_name` and enable its TTL (one source for
    the local API and every test). `client` is a boto3 DynamoDB client."""
    client.create_table(**table_definition(template, table_name, logical_id))
    client.get_waiter("table_exists").wait(TableName=table_name, WaiterConfig={"Delay": 0.1})
    ttl = time_to_live(template, logical_id)
    if ttl is not None:
        client.update_time_to_live(TableName=table_name, TimeToLiveSpecification=ttl)


class LocalDynamoDB:
    """moto's DynamoDB server on `host:port` (port 0: any free port), in a daemon thread."""

    def __init__(self, host: str = LOOPBACK, port: int = 0) -> None:
        self.host = host
        self.port = port
        self._server: Any = None

    @property
    def endpoint_url(self) -> str:
        if self._server is None:
            raise RuntimeError("the local DynamoDB server is not running")
        return f"http://{self.host}:{self.port}"

    def start(self) -> str:
        """Start the server; returns its endpoint URL."""
        from moto.server import ThreadedMotoServer

        serialise_emulator()

        server = ThreadedMotoServer(ip_address=self.host, port=self.port, verbose=False)
        server.start()
        self.port = server.get_host_and_port()[1]
        self._server = server
        return self.endpoint_url

    def client(self) -> Any:
        """A boto3 DynamoDB client for this endpoint."""
        import boto3

        return boto3.client(
            "dynamodb",
            endpoint_url=self.endpoint_url,
            region_name=REGION,
            aws_access_key_id=DUMMY_CREDENTIALS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=DUMMY_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        )

    def create_table(self, table_name: str, template: Template | None = None) -> None:
        create_table(self.client(), table_name, template)

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.stop()

    def __enter__(self) -> LocalDynamoDB:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
