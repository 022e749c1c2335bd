"""GET /v1/customers/{customerId}: one customer."""

from core.customers import customers
from core.platform.pipeline import endpoint


@endpoint(scope="customers:read", path=customers.CustomerPath, response=customers.Customer)
def lambda_handler(call):
    return customers.get(call)
