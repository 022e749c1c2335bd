"""GET /v1/organizations/{organizationId}/ledgers/{ledgerId}/transactions/{transactionId}:
one transaction with its operations.
"""

from core.ledger import transactions
from core.platform.pipeline import endpoint


@endpoint(scope="ledger:read", path=transactions.TransactionPath, response=transactions.Transaction)
def lambda_handler(call):
    return transactions.get(call)
