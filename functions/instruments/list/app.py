"""GET /v1/organizations/{organizationId}/ledgers/{ledgerId}/instruments: a page of them, newest first."""

from core.ledger import hierarchy, instruments, ledgers
from core.platform.pipeline import ListOf, endpoint


@endpoint(
    scope="ledger:read",
    query=hierarchy.ListByStatus,
    path=ledgers.LedgerPath,
    response=ListOf(instruments.Instrument),
)
def lambda_handler(call):
    return instruments.RESOURCE.list_(call)
