"""POST /v1/organizations/{organizationId}/ledgers/{ledgerId}/transactions/{transactionId}/revert:
book the exact reverse of an approved transaction, once; answers the new one.
"""

from core.ledger import transactions
from core.platform.pipeline import endpoint


@endpoint(scope="ledger:write", path=transactions.TransactionPath, response=transactions.Transaction)
def lambda_handler(call):
    return transactions.revert(call)
