"""The floor of the cold-start benchmark: what any of our functions must load because the
stack names it, and nothing of ours. botocore (the layer's, DynamoDB data only) with one
client, pydantic with one model built, cryptography's Ed25519, Powertools' Logger and
Metrics, loaded with the garbage collector paused, as our layer loads. Never deployed;
`bench` shows how far the floor itself is from the bare boto3 handler and from the
reference, so that our own code's share is visible."""

import gc

gc.disable()  # as the layer does during a Lambda init (layers/core/python/core/__init__.py)

import botocore.session  # noqa: E402
from aws_lambda_powertools import Logger, Metrics  # noqa: E402
from botocore.config import Config  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ed25519  # noqa: E402, F401
from pydantic import BaseModel, Field  # noqa: E402

logger = Logger()
metrics = Metrics()


class Body(BaseModel):
    name: str = Field(min_length=1, max_length=100)


client = botocore.session.get_session().create_client("dynamodb", config=Config(retries={"mode": "standard"}))
gc.freeze()
gc.enable()


def lambda_handler(event, context):
    return {"statusCode": 200, "headers": {"Content-Type": "application/json"}, "body": "{}"}
