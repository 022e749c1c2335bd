"""The reference handler of the benchmark: one endpoint written the common way for Lambda
with Powertools (Logger, Tracer, Metrics, an APIGatewayRestResolver with validation), a
pydantic model, and a boto3 DynamoDB client created at import. Never deployed; `bench`
cold-starts it beside our handlers, in the same interleaved run, as Lambda would."""

import os
import time
import uuid
from typing import Any

import boto3
from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from pydantic import BaseModel, Field

logger = Logger()
tracer = Tracer()
metrics = Metrics()
app = APIGatewayRestResolver(enable_validation=True)
dynamodb = boto3.client("dynamodb")
TABLE_NAME = os.environ.get("TABLE_NAME", "customers")


class NewCustomer(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    email: str | None = Field(default=None, max_length=254)
    country: str = Field(pattern=r"^[A-Z]{2}$")
    external_id: str | None = Field(default=None, alias="externalId", max_length=128)


class Customer(NewCustomer):
    id: str
    created_at: int = Field(alias="createdAt")


@app.post("/v1/customers")
@tracer.capture_method
def create_customer(customer: NewCustomer) -> dict[str, Any]:
    created = Customer(
        id=f"cus_{uuid.uuid4().hex}", createdAt=int(time.time()), **customer.model_dump(by_alias=True)
    )
    item = {name: {"S": str(value)} for name, value in created.model_dump(by_alias=True).items() if value}
    dynamodb.put_item(TableName=TABLE_NAME, Item=item, ConditionExpression="attribute_not_exists(id)")
    metrics.add_metric(name="CustomersCreated", unit=MetricUnit.Count, value=1)
    return created.model_dump(by_alias=True)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@tracer.capture_lambda_handler
@metrics.log_metrics(capture_cold_start_metric=True)
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
