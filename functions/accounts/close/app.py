"""POST /v1/accounts/{accountId}/close: closed for good; its numbers and addresses go inactive."""

from core.accounts import accounts
from core.platform.pipeline import endpoint


@endpoint(
    scope="accounts:write",
    body=accounts.CloseAccountBody,
    path=accounts.AccountPath,
    response=accounts.AccountWithChildren,
)
def lambda_handler(call):
    return accounts.close(call)
