"""POST /v1/organizations/{organizationId}/ledgers/{ledgerId}/transactions/{transactionId}/commit:
complete a pending transaction (destinations credited), once.
"""

from core.ledger import transactions
from core.platform.pipeline import endpoint


@endpoint(scope="ledger:write", path=transactions.TransactionPath, response=transactions.Transaction)
def lambda_handler(call):
    return transactions.commit(call)
