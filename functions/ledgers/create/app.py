"""POST /v1/organizations/{organizationId}/ledgers: create a ledger."""

from core.ledger import ledgers
from core.platform.pipeline import endpoint


@endpoint(
    scope="ledger:write",
    body=ledgers.CreateLedger,
    path=ledgers.OrganizationPath,
    status=201,
    response=ledgers.Ledger,
)
def lambda_handler(call):
    return ledgers.RESOURCE.create(call)
