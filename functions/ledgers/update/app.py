"""PATCH /v1/organizations/{organizationId}/ledgers/{ledgerId}:
the editable fields; metadata replaces the whole map.
"""

from core.ledger import ledgers
from core.platform.pipeline import endpoint


@endpoint(scope="ledger:write", body=ledgers.UpdateLedger, path=ledgers.LedgerPath, response=ledgers.Ledger)
def lambda_handler(call):
    return ledgers.RESOURCE.update(call)
