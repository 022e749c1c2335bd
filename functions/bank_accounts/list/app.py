"""GET /v1/bank-accounts: newest first; filters status, referenceId, clientId."""

from core.ingestion import bank_accounts
from core.platform.pipeline import ListOf, endpoint


@endpoint(
    scope="bank_accounts:read",
    query=bank_accounts.ListBankAccountsQuery,
    response=ListOf(bank_accounts.BankAccount),
)
def lambda_handler(call):
    return bank_accounts.list_(call)
