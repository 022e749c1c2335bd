"""POST /v1/bank-accounts/{bankAccountId}/clients: associate customers (at most 50 in all)."""

from core.ingestion import bank_accounts, records
from core.platform.pipeline import endpoint


@endpoint(
    scope="bank_accounts:write",
    body=records.ClientsBody,
    path=bank_accounts.BankAccountPath,
    response=bank_accounts.BankAccount,
)
def lambda_handler(call):
    return bank_accounts.add_clients(call)
