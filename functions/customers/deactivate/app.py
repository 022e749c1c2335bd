"""PATCH /v1/customers/{customerId}/deactivate: active -> inactive, suspending what it owns."""

from core.customers import customers
from core.platform.pipeline import endpoint


@endpoint(scope="customers:write", path=customers.CustomerPath, response=customers.Customer)
def lambda_handler(call):
    return customers.deactivate(call)
