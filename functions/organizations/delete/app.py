"""DELETE /v1/organizations/{organizationId}: a soft delete (409 while anything live is under it)."""

from core.ledger import organizations
from core.platform.pipeline import endpoint


@endpoint(scope="ledger:write", path=organizations.OrganizationPath, status=204)
def lambda_handler(call):
    return organizations.delete(call)
