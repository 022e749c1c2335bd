"""POST /v1/customers/{customerId}/challenge/verify: recover the EIP-191 signer of the
challenge and compare it with the customer's address.

coincurve and pycryptodome's Keccak (~10 ms of import, see core.customers.siwe.recover_signer and
core.onchain.addresses.keccak_module) are loaded here, at init, and by no other function."""

from core.customers import customers, siwe
from core.platform.pipeline import endpoint

siwe.load_recovery()


@endpoint(
    scope="customers:write",
    body=customers.VerifyChallenge,
    path=customers.CustomerPath,
    response=customers.Customer,
)
def lambda_handler(call):
    return customers.verify_challenge(call)
