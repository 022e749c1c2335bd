"""GET /v1/bank-accounts: newest first; filters status, referenceId, clientId."""

from core import bank_accounts
from core.pipeline import endpoint


@endpoint(scope="bank_accounts:read", query=bank_accounts.ListBankAccountsQuery)
def lambda_handler(call):
    return bank_accounts.list_(call)
