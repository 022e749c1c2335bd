"""GET /v1/organizations/{organizationId}/ledgers/{ledgerId}/transactions:
the ledger's transactions, newest first.
"""

from core.ledger import transactions
from core.platform.pipeline import ListOf, endpoint


@endpoint(
    scope="ledger:read",
    query=transactions.ListTransactions,
    path=transactions.TransactionsPath,
    response=ListOf(transactions.Transaction),
)
def lambda_handler(call):
    return transactions.list_(call)
