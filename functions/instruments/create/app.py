"""POST /v1/organizations/{organizationId}/ledgers/{ledgerId}/instruments: create an instrument."""

from core.ledger import instruments, ledgers
from core.platform.pipeline import endpoint


@endpoint(
    scope="ledger:write",
    body=instruments.CreateInstrument,
    path=ledgers.LedgerPath,
    status=201,
    response=instruments.Instrument,
)
def lambda_handler(call):
    return instruments.create(call)
