"""PATCH /v1/organizations/{organizationId}/ledgers/{ledgerId}/instruments/{instrumentId}:
the editable fields; metadata replaces the whole map.
"""

from core.ledger import instruments
from core.platform.pipeline import endpoint


@endpoint(
    scope="ledger:write",
    body=instruments.UpdateInstrument,
    path=instruments.InstrumentPath,
    response=instruments.Instrument,
)
def lambda_handler(call):
    return instruments.RESOURCE.update(call)
