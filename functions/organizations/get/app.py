"""GET /v1/organizations/{organizationId}: one, checked against every id of its path."""

from core.ledger import organizations
from core.platform.pipeline import endpoint


@endpoint(scope="ledger:read", path=organizations.OrganizationPath, response=organizations.Organization)
def lambda_handler(call):
    return organizations.get(call)
