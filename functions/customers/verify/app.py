"""POST /v1/customers/{customerId}/challenge/verify: recover the EIP-191 signer of the
challenge and compare it with the customer's address.

coincurve and pycryptodome's Keccak (~10 ms of import, see core.siwe.recover_signer and
core.onchain.keccak_module) are loaded here, at init, and by no other function."""

import coincurve  # noqa: F401  (paid by this function's cold start alone)

from core import customers, onchain
from core.pipeline import endpoint

onchain.keccak_module()


@endpoint(
    scope="customers:write",
    body=customers.VerifyChallenge,
    path=customers.CustomerPath,
    response=customers.Customer,
)
def lambda_handler(call):
    return customers.verify_challenge(call)
