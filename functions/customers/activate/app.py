"""PATCH /v1/customers/{customerId}/activate: inactive -> active, restoring exactly what
the last deactivation suspended."""

from core import customers
from core.pipeline import endpoint


@endpoint(scope="customers:write", path=customers.CustomerPath, response=customers.Customer)
def lambda_handler(call):
    return customers.activate(call)
