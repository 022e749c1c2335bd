"""The reference "bare" handler of the cold-start benchmark: the least a DynamoDB-backed
Lambda function pays at cold start (boto3 imported, one client created at module level).
Never deployed; `bench` imports it the way Lambda would and compares every handler to it."""

import boto3

client = boto3.client("dynamodb")


def lambda_handler(event, context):
    return {"statusCode": 200, "headers": {"Content-Type": "application/json"}, "body": "{}"}
