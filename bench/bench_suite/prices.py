"""AWS list prices the cost figures use: US East (N. Virginia), on-demand, first tiers,
no free tier. Read on PRICES_READ_ON from the AWS pricing pages named beside each (and
checked against secondary summaries of them); prices change, so check them again before
quoting a figure, and change them here (one place) with the date."""

from __future__ import annotations

PRICES_READ_ON = "2026-11-26"
REGION = "us-east-1"

# aws.amazon.com/api-gateway/pricing/ : HTTP APIs, first 300 million requests a month.
# Each request is metered in 512 KB increments (a 513 KB request counts as two).
HTTP_API_PER_MILLION_REQUESTS = 1.00
HTTP_API_METERING_BYTES = 512 * 1024

# aws.amazon.com/lambda/pricing/ : Arm (arm64), first 7.5 billion GB-seconds a month;
# duration is billed per 1 ms, rounded up; requests are priced alike on both architectures.
LAMBDA_ARM_PER_GB_SECOND = 0.0000133334
LAMBDA_PER_MILLION_REQUESTS = 0.20

# aws.amazon.com/dynamodb/pricing/on-demand/ : Standard table class, on-demand
# (the prices since 2024-11-01). A transactional request takes two units per item.
DYNAMODB_PER_MILLION_WRITE_UNITS = 0.625
DYNAMODB_PER_MILLION_READ_UNITS = 0.125

# The usual design's services (bench_suite.cost's comparison), same pages and date.
# aws.amazon.com/api-gateway/pricing/ : REST APIs, first 333 million requests a month.
REST_API_PER_MILLION_REQUESTS = 3.50
# aws.amazon.com/eventbridge/pricing/ : custom events put on an event bus, each 64 KB chunk
# of a PutEvents entry one event.
EVENTBRIDGE_PER_MILLION_EVENTS = 1.00
EVENTBRIDGE_CHUNK_BYTES = 64 * 1024
