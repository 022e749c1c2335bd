"""GET /v1/organizations/{organizationId}/ledgers/{ledgerId}/instruments/{instrumentId}:
one, checked against every id of its path.
"""

from core.ledger import instruments
from core.platform.pipeline import endpoint


@endpoint(scope="ledger:read", path=instruments.InstrumentPath, response=instruments.Instrument)
def lambda_handler(call):
    return instruments.RESOURCE.get(call)
