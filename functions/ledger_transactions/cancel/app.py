"""POST /v1/organizations/{organizationId}/ledgers/{ledgerId}/transactions/{transactionId}/cancel:
release a pending transaction's holds, once.
"""

from core.ledger import transactions
from core.platform.pipeline import endpoint


@endpoint(scope="ledger:write", path=transactions.TransactionPath, response=transactions.Transaction)
def lambda_handler(call):
    return transactions.cancel(call)
