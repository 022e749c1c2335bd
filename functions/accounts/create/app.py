"""POST /v1/accounts: open an account for an active customer with the accounts capability."""

from core.accounts import accounts
from core.platform.pipeline import endpoint


@endpoint(
    scope="accounts:write", body=accounts.CreateAccount, status=201, response=accounts.AccountWithChildren
)
def lambda_handler(call):
    return accounts.create(call)
