"""GET /v1/organizations/{organizationId}/ledgers/{ledgerId}: one, checked against every id of its path."""

from core.ledger import ledgers
from core.platform.pipeline import endpoint


@endpoint(scope="ledger:read", path=ledgers.LedgerPath, response=ledgers.Ledger)
def lambda_handler(call):
    return ledgers.RESOURCE.get(call)
