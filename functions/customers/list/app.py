"""GET /v1/customers: newest first; filters status, externalId, onchainId."""

from core import customers
from core.pipeline import endpoint


@endpoint(scope="customers:read", query=customers.ListCustomersQuery)
def lambda_handler(call):
    return customers.list_(call)
