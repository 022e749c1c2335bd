"""POST /v1/customers/{customerId}/challenge/verify: recover the EIP-191 signer of the
challenge and compare it with the customer's address.

eth-account (~0.6 s of import) is loaded here, at init, and by no other function."""

import eth_account  # noqa: F401  (paid by this function's cold start alone)

from core import customers
from core.pipeline import endpoint


@endpoint(
    scope="customers:write",
    body=customers.VerifyChallenge,
    path=customers.CustomerPath,
    response=customers.Customer,
)
def lambda_handler(call):
    return customers.verify_challenge(call)
