"""POST /v1/organizations/{organizationId}/ledgers/{ledgerId}/transactions:
book a transaction (201; PENDING when `pending`, else APPROVED).
"""

from core.ledger import transactions
from core.platform.pipeline import endpoint


@endpoint(
    scope="ledger:write",
    body=transactions.CreateTransaction,
    path=transactions.TransactionsPath,
    status=201,
    response=transactions.Transaction,
)
def lambda_handler(call):
    return transactions.create(call)
