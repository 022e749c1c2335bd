"""PATCH /v1/accounts/{accountId}: label, purpose and metadata."""

from core.accounts import accounts
from core.platform.pipeline import endpoint


@endpoint(
    scope="accounts:write",
    body=accounts.UpdateAccount,
    path=accounts.AccountPath,
    response=accounts.AccountWithChildren,
)
def lambda_handler(call):
    return accounts.update(call)
