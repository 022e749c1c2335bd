"""POST /v1/accounts/{accountId}/account-numbers: issue an IBAN, ABA or CLABE number."""

from core.accounts import accounts, numbers
from core.platform.pipeline import endpoint


@endpoint(
    scope="accounts:write",
    body=numbers.IssueAccountNumber,
    path=accounts.AccountPath,
    status=201,
    response=accounts.AccountNumber,
)
def lambda_handler(call):
    return numbers.issue(call)
