"""POST /v1/organizations: create an organization."""

from core.ledger import organizations
from core.platform.pipeline import endpoint


@endpoint(
    scope="ledger:write",
    body=organizations.CreateOrganization,
    status=201,
    response=organizations.Organization,
)
def lambda_handler(call):
    return organizations.create(call)
