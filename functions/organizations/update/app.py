"""PATCH /v1/organizations/{organizationId}: the editable fields; metadata replaces the whole map."""

from core.ledger import organizations
from core.platform.pipeline import endpoint


@endpoint(
    scope="ledger:write",
    body=organizations.UpdateOrganization,
    path=organizations.OrganizationPath,
    response=organizations.Organization,
)
def lambda_handler(call):
    return organizations.update(call)
