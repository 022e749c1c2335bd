"""DELETE /v1/organizations/{organizationId}/ledgers/{ledgerId}:
a soft delete (409 while anything live is under it).
"""

from core.ledger import ledgers
from core.platform.pipeline import endpoint


@endpoint(scope="ledger:write", path=ledgers.LedgerPath, status=204)
def lambda_handler(call):
    return ledgers.RESOURCE.delete(call)
