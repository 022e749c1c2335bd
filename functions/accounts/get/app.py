"""GET /v1/accounts/{accountId}: the account with its account numbers and deposit addresses."""

from core.accounts import accounts
from core.platform.pipeline import endpoint


@endpoint(scope="accounts:read", path=accounts.AccountPath, response=accounts.AccountWithChildren)
def lambda_handler(call):
    return accounts.get(call)
