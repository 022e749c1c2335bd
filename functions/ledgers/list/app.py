"""GET /v1/organizations/{organizationId}/ledgers: a page of them, newest first."""

from core.ledger import hierarchy, ledgers
from core.platform.pipeline import ListOf, endpoint


@endpoint(
    scope="ledger:read",
    query=hierarchy.ListByStatus,
    path=ledgers.OrganizationPath,
    response=ListOf(ledgers.Ledger),
)
def lambda_handler(call):
    return ledgers.RESOURCE.list_(call)
