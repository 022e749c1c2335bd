"""The floor of the cold-start benchmark: what any of our functions must load because the
stack names it, and nothing of ours. botocore (the layer's, DynamoDB data only) with one
client, pydantic with one model built, cryptography's Ed25519, Powertools' Logger and
Metrics. Never deployed; `bench` shows how far the floor itself is from the bare boto3
handler and from the reference, so that our own code's share is visible."""

import botocore.session
from aws_lambda_powertools import Logger, Metrics
from botocore.config import Config
from cryptography.hazmat.primitives.asymmetric import ed25519  # noqa: F401
from pydantic import BaseModel, Field

logger = Logger()
metrics = Metrics()


class Body(BaseModel):
    name: str = Field(min_length=1, max_length=100)


client = botocore.session.get_session().create_client("dynamodb", config=Config(retries={"mode": "standard"}))


def lambda_handler(event, context):
    return {"statusCode": 200, "headers": {"Content-Type": "application/json"}, "body": "{}"}
