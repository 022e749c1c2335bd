"""POST /v1/customers: a new customer, pending KYC, with its verificationUrl and, for an
on-chain customer, a Sign-In with Ethereum challenge to sign."""

from core.customers import customers
from core.platform.pipeline import endpoint


@endpoint(scope="customers:write", body=customers.CreateCustomer, status=201, response=customers.Customer)
def lambda_handler(call):
    return customers.create(call)
