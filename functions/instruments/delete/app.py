"""DELETE /v1/organizations/{organizationId}/ledgers/{ledgerId}/instruments/{instrumentId}:
a soft delete (409 while anything live is under it).
"""

from core.ledger import instruments
from core.platform.pipeline import endpoint


@endpoint(scope="ledger:write", path=instruments.InstrumentPath, status=204)
def lambda_handler(call):
    return instruments.delete(call)
