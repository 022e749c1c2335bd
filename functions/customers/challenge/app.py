"""POST /v1/customers/{customerId}/challenge: a fresh challenge (replaces the last one)."""

from core.customers import customers
from core.platform.pipeline import endpoint


@endpoint(scope="customers:write", path=customers.CustomerPath, response=customers.Customer)
def lambda_handler(call):
    return customers.new_challenge(call)
