"""GET /v1/customers/{customerId}."""

from core import customers
from core.pipeline import endpoint


@endpoint(scope="customers:read", path=customers.CustomerPath)
def lambda_handler(call):
    return customers.get(call)
