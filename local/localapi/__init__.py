"""The local API (the embedded default): moto's DynamoDB server on loopback, the table and
routes of template.yaml, a seeded sandbox partner, and an HTTP router that turns each
request into the API Gateway HTTP API (payload 2.0) event its handler receives on AWS.

Development only: nothing here is deployed.
"""
