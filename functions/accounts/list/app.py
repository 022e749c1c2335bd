"""GET /v1/accounts: the partner's accounts, newest first (filters customerId, type, status)."""

from core.accounts import accounts
from core.platform.pipeline import ListOf, endpoint


@endpoint(scope="accounts:read", query=accounts.ListAccountsQuery, response=ListOf(accounts.Account))
def lambda_handler(call):
    return accounts.list_(call)
