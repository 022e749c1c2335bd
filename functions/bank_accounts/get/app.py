"""GET /v1/bank-accounts/{bankAccountId}: one bank account."""

from core.ingestion import bank_accounts
from core.platform.pipeline import endpoint


@endpoint(scope="bank_accounts:read", path=bank_accounts.BankAccountPath, response=bank_accounts.BankAccount)
def lambda_handler(call):
    return bank_accounts.get(call)
