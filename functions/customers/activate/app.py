"""PATCH /v1/customers/{customerId}/activate: inactive -> active, restoring exactly what
the last deactivation suspended."""

from core.customers import customers
from core.platform.pipeline import endpoint


@endpoint(scope="customers:write", path=customers.CustomerPath, response=customers.Customer)
def lambda_handler(call):
    return customers.activate(call)
