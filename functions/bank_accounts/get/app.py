"""GET /v1/bank-accounts/{bankAccountId}."""

from core import bank_accounts
from core.pipeline import endpoint


@endpoint(scope="bank_accounts:read", path=bank_accounts.BankAccountPath)
def lambda_handler(call):
    return bank_accounts.get(call)
