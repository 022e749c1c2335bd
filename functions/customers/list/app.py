"""GET /v1/customers: newest first; filters status, externalId, onchainId."""

from core import customers
from core.pipeline import endpoint
from core.representations import ListOf


@endpoint(scope="customers:read", query=customers.ListCustomersQuery, response=ListOf(customers.Customer))
def lambda_handler(call):
    return customers.list_(call)
