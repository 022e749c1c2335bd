"""Clients of the AWS services other than DynamoDB (SQS, KMS), one per service and
container, made with botocore alone like the store's (boto3 costs cold-start time)."""

from __future__ import annotations

from functools import cache
from typing import Any

import botocore.session
from botocore.config import Config

_CONFIG = Config(retries={"mode": "standard", "max_attempts": 5}, connect_timeout=2, read_timeout=5)


@cache
def client(service: str) -> Any:
    return botocore.session.get_session().create_client(service, config=_CONFIG)
