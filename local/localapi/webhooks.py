"""Webhook delivery locally: the KMS key and the queues of template.yaml on moto, and two
pollers that do what Lambda's event source mappings do on AWS.

- `StreamPoller` reads the table's stream (moto's DynamoDB Streams), keeps the records
  that the function's FilterCriteria match, and invokes the handler with Lambda's event
  shape; with ReportBatchItemFailures it retries from the first failed record, and a
  handler that raises gets the same batch again.
- `QueuePoller` receives from the queue (moto's SQS) and invokes the handler with
  Lambda's SQS event shape, in `concurrency` threads (the mapping's MaximumConcurrency);
  it deletes the messages that did not fail, so a failed or crashed attempt comes back
  after the queue's visibility timeout.

Nothing stands between: the handlers are the functions' own, the events the real shapes.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Callable
from typing import Any

from localapi.dynamodb import DUMMY_CREDENTIALS, REGION
from localapi.template import PSEUDO_PARAMETERS, EventSource, Template, event_sources

ACCOUNT = PSEUDO_PARAMETERS["AWS::AccountId"]
KEY_ALIAS = "alias/local-webhook-secrets"
QUEUES = {
    "WebhookDeliveryQueue": "local-webhook-deliveries",
    "WebhookDeadLetterQueue": "local-webhook-dead-letters",
}
Handler = Callable[[dict[str, Any], Any], Any]


def queue_url(name: str) -> str:
    return f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/{name}"


def queue_arn(name: str) -> str:
    return f"arn:aws:sqs:{REGION}:{ACCOUNT}:{name}"


# The functions' variables for those resources (what `overrides` makes of template.yaml).
RESOURCE_ENV = {
    "WEBHOOK_KEY_ID": KEY_ALIAS,
    "WEBHOOK_QUEUE_URL": queue_url(QUEUES["WebhookDeliveryQueue"]),
    "WEBHOOK_DEAD_LETTER_QUEUE_URL": queue_url(QUEUES["WebhookDeadLetterQueue"]),
}


def overrides() -> dict[str, str]:
    """What template.yaml's webhook resources stand for locally (`!Ref`, `!GetAtt`)."""
    out = {
        "WebhookSecretsKey": KEY_ALIAS,
        "WebhookSecretsKey.Arn": f"arn:aws:kms:{REGION}:{ACCOUNT}:{KEY_ALIAS}",
    }
    for logical_id, name in QUEUES.items():
        out[logical_id] = queue_url(name)
        out[f"{logical_id}.Arn"] = queue_arn(name)
        out[f"{logical_id}.QueueName"] = name
    return out


def client(service: str, endpoint_url: str | None = None) -> Any:
    import boto3

    return boto3.client(  # type: ignore[call-overload]  # a service named at run time
        service,
        endpoint_url=endpoint_url,
        region_name=REGION,
        aws_access_key_id=DUMMY_CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=DUMMY_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
    )


# The id of the local key when it is kept across restarts (`key_seed`).
KEPT_KEY_ID = "00000000-0000-4000-8000-00000000cafe"


def create_resources(
    template: Template, endpoint_url: str | None = None, key_seed: bytes | None = None
) -> None:
    """The key (with its alias) and the two queues, with the template's queue settings.

    With `key_seed` (moto running in this process), the key gets the same id and key
    material at every start, so the secrets sealed before a restart of the sandbox (its
    table kept in a data file) still open after it."""
    kms = client("kms", endpoint_url)
    aliases = {a["AliasName"] for a in kms.list_aliases()["Aliases"]}
    if KEY_ALIAS not in aliases:
        key_id = kms.create_key(Description="local webhook secrets")["KeyMetadata"]["KeyId"]
        if key_seed is not None:
            key_id = _keep_key(key_id, key_seed)
        kms.create_alias(AliasName=KEY_ALIAS, TargetKeyId=key_id)
    sqs = client("sqs", endpoint_url)
    # The dead-letter queue first: the delivery queue's redrive policy names it.
    for logical_id in sorted(QUEUES, key=lambda name: name != "WebhookDeadLetterQueue"):
        props = dict(template.resources[logical_id].get("Properties") or {})
        attributes = {
            name: str(props[name])
            for name in ("VisibilityTimeout", "MessageRetentionPeriod")
            if name in props
        }
        if "RedrivePolicy" in props:
            redrive = props["RedrivePolicy"]
            attributes["RedrivePolicy"] = json.dumps(
                {
                    "deadLetterTargetArn": queue_arn(QUEUES["WebhookDeadLetterQueue"]),
                    "maxReceiveCount": str(redrive["maxReceiveCount"]),
                }
            )
        sqs.create_queue(QueueName=QUEUES[logical_id], Attributes=attributes)


def _keep_key(key_id: str, seed: bytes) -> str:
    """Give moto's new key a fixed id and material derived from `seed` (moto's own
    models: its API has no way to import symmetric key material)."""
    from moto.kms.models import kms_backends

    keys = kms_backends[ACCOUNT][REGION].keys
    key = keys.pop(key_id)
    key.id = KEPT_KEY_ID
    key.arn = key.arn.replace(key_id, KEPT_KEY_ID)
    key.key_material = hashlib.sha256(b"local webhook key\x00" + seed).digest()
    keys[KEPT_KEY_ID] = key
    return KEPT_KEY_ID


# -- event filtering (the subset of Lambda's filter syntax that template.yaml uses) --------


def matches(pattern: Any, value: Any) -> bool:
    """Lambda's filter rules for objects and lists of exact values."""
    if isinstance(pattern, dict):
        return isinstance(value, dict) and all(
            name in value and matches(inner, value[name]) for name, inner in pattern.items()
        )
    if isinstance(pattern, list):
        if not all(isinstance(p, str | int | float | bool) or p is None for p in pattern):
            raise ValueError(f"filter rule {pattern!r} is not supported locally (exact values only)")
        return value in pattern
    raise ValueError(f"filter rule {pattern!r} is not supported locally")


def passes(source: EventSource, record: dict[str, Any]) -> bool:
    patterns = source.filter_patterns
    return not patterns or any(matches(p, record) for p in patterns)


# -- the pollers ----------------------------------------------------------------------------


class StreamPoller:
    """The table's stream -> the dispatcher, in order, one batch at a time."""

    def __init__(
        self, source: EventSource, handler: Handler, stream_arn: str, endpoint_url: str | None = None
    ):
        self.source = source
        self.handler = handler
        self.stream_arn = stream_arn
        self.batch_size = int(source.properties.get("BatchSize", 100))
        # The classic endpoint: botocore's default for calls naming a stream ARN is an
        # account-specific host (`<account>.streams-ddb...`) that moto does not answer.
        self.streams = client(
            "dynamodbstreams", endpoint_url or f"https://streams.dynamodb.{REGION}.amazonaws.com"
        )
        self.iterators: dict[str, str | None] = {}
        self.pending: list[dict[str, Any]] = []  # read, not yet handled (a retry starts here)

    def _read(self) -> None:
        shards = self.streams.describe_stream(StreamArn=self.stream_arn)["StreamDescription"]["Shards"]
        for shard in shards:
            shard_id = shard["ShardId"]
            if shard_id not in self.iterators:
                self.iterators[shard_id] = self.streams.get_shard_iterator(
                    StreamArn=self.stream_arn,
                    ShardId=shard_id,
                    ShardIteratorType=str(self.source.properties.get("StartingPosition", "TRIM_HORIZON")),
                )["ShardIterator"]
            iterator = self.iterators[shard_id]
            if iterator is None:
                continue
            out = self.streams.get_records(ShardIterator=iterator, Limit=1000)
            self.iterators[shard_id] = out.get("NextShardIterator")
            for record in out["Records"]:
                record = {**record, "eventSourceARN": self.stream_arn}
                record["dynamodb"] = {
                    **record["dynamodb"],
                    "ApproximateCreationDateTime": _epoch(
                        record["dynamodb"].get("ApproximateCreationDateTime")
                    ),
                }
                if passes(self.source, record):
                    self.pending.append(record)

    def poll_once(self) -> int:
        """Read what is new and hand one batch to the handler; answers records handled."""
        if not self.pending:
            self._read()
        if not self.pending:
            return 0
        batch = self.pending[: self.batch_size]
        try:
            answer = self.handler({"Records": batch}, None) or {}
        except Exception:
            return 0  # Lambda retries the whole batch
        failures = [f["itemIdentifier"] for f in answer.get("batchItemFailures") or []]
        if not failures:
            del self.pending[: len(batch)]
            return len(batch)
        first = next(i for i, r in enumerate(batch) if r["dynamodb"]["SequenceNumber"] in failures)
        del self.pending[:first]  # the failed record and what follows it come again
        return first


class QueuePoller:
    """The delivery queue -> the worker, `concurrency` invocations at once."""

    def __init__(
        self,
        source: EventSource,
        handler: Handler,
        queue: str,
        concurrency: int,
        endpoint_url: str | None = None,
    ):
        self.source = source
        self.handler = handler
        self.queue_url = queue
        self.batch_size = int(source.properties.get("BatchSize", 10))
        self.concurrency = concurrency
        self.sqs = client("sqs", endpoint_url)
        self.arn = queue_arn(queue.rsplit("/", 1)[1])

    def _record(self, message: dict[str, Any]) -> dict[str, Any]:
        return {
            "messageId": message["MessageId"],
            "receiptHandle": message["ReceiptHandle"],
            "body": message["Body"],
            "attributes": message.get("Attributes") or {},
            "messageAttributes": message.get("MessageAttributes") or {},
            "md5OfBody": hashlib.md5(message["Body"].encode()).hexdigest(),  # noqa: S324 (SQS's own checksum)
            "eventSource": "aws:sqs",
            "eventSourceARN": self.arn,
            "awsRegion": REGION,
        }

    def poll_once(self, wait_seconds: int = 0) -> int:
        """Receive one batch and hand it to the handler; answers messages handled."""
        out = self.sqs.receive_message(
            QueueUrl=self.queue_url,
            MaxNumberOfMessages=self.batch_size,
            WaitTimeSeconds=wait_seconds,
            AttributeNames=["All"],
        )
        messages = out.get("Messages") or []
        if not messages:
            return 0
        try:
            answer = self.handler({"Records": [self._record(m) for m in messages]}, None) or {}
        except Exception:
            return 0  # every message comes back after the visibility timeout
        failed = {f["itemIdentifier"] for f in answer.get("batchItemFailures") or []}
        done = [m for m in messages if m["MessageId"] not in failed]
        for message in done:
            self.sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"])
        return len(done)


def _epoch(value: Any) -> Any:
    return value.timestamp() if hasattr(value, "timestamp") else value


class Pollers:
    """Both pollers in daemon threads, for `localapi serve`."""

    def __init__(self, stream: StreamPoller, queue: QueuePoller, interval: float = 0.05) -> None:
        self.stream, self.queue, self.interval = stream, queue, interval
        self.stop = threading.Event()
        self.threads: list[threading.Thread] = []

    def _loop(self, step: Callable[[], int]) -> None:
        while not self.stop.is_set():
            try:
                if step() == 0:
                    self.stop.wait(self.interval)
            except Exception:  # the emulator went away (shutdown) or hiccuped: try again
                self.stop.wait(0.5)

    def start(self) -> None:
        steps = [self.stream.poll_once] + [
            lambda: self.queue.poll_once(wait_seconds=1)
        ] * self.queue.concurrency
        for index, step in enumerate(steps):
            thread = threading.Thread(target=self._loop, args=(step,), name=f"webhooks-{index}", daemon=True)
            thread.start()
            self.threads.append(thread)

    def close(self) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=3)


def wait_until(predicate: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


# At most this many delivery workers locally (threads of one process), whatever the
# template's WebhookDeliveryConcurrency says for Lambda.
LOCAL_CONCURRENCY = 8


def start_pollers(
    template: Template, endpoint_url: str, stream_arn: str, load: Callable[[EventSource], Handler]
) -> Pollers:
    """The dispatcher and the delivery worker of template.yaml, polling as Lambda would."""
    sources = {s.kind: s for s in event_sources(template)}
    stream, deliver = sources["DynamoDB"], sources["SQS"]
    default = int(template.parameters["WebhookDeliveryConcurrency"]["Default"])
    pollers = Pollers(
        StreamPoller(stream, load(stream), stream_arn, endpoint_url),
        QueuePoller(
            deliver,
            load(deliver),
            queue_url(QUEUES["WebhookDeliveryQueue"]),
            min(default, LOCAL_CONCURRENCY),
            endpoint_url,
        ),
    )
    pollers.start()
    return pollers
