"""GET /v1/organizations/{organizationId}/ledgers/{ledgerId}/accounts/{accountId}/operations:
the account's operations, newest first.
"""

from core.ledger import ledger_accounts, transactions
from core.platform.pipeline import ListOf, endpoint


@endpoint(
    scope="ledger:read",
    query=transactions.ListOperations,
    path=ledger_accounts.LedgerAccountPath,
    response=ListOf(transactions.Operation),
)
def lambda_handler(call):
    return transactions.statement(call)
