"""POST /v1/accounts/{accountId}/blockchain-addresses: derive the next deposit address."""

from core.accounts import accounts, addresses
from core.platform.pipeline import endpoint


@endpoint(
    scope="accounts:write",
    body=addresses.IssueBlockchainAddress,
    path=accounts.AccountPath,
    status=201,
    response=accounts.BlockchainAddress,
)
def lambda_handler(call):
    return addresses.issue(call)
