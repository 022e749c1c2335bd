"""GET /v1/customers: newest first; filters status, externalId, onchainId."""

from core.customers import customers
from core.platform.pipeline import ListOf, endpoint


@endpoint(scope="customers:read", query=customers.ListCustomersQuery, response=ListOf(customers.Customer))
def lambda_handler(call):
    return customers.list_(call)
