"""POST /v1/bank-accounts[?upsert=true]: create (201), or with upsert update the record
matched by referenceId, else accountNumber (200)."""

from core.ingestion import bank_accounts, records
from core.platform.pipeline import endpoint


@endpoint(
    scope="bank_accounts:write",
    body=bank_accounts.BankAccountBody,
    query=records.UpsertQuery,
    status=201,
    other_statuses=(200,),
    response=bank_accounts.BankAccount,
)
def lambda_handler(call):
    return bank_accounts.create(call)
