"""GET /v1/organizations: a page of them, newest first."""

from core.ledger import hierarchy, organizations
from core.platform.pipeline import ListOf, endpoint


@endpoint(scope="ledger:read", query=hierarchy.ListByStatus, response=ListOf(organizations.Organization))
def lambda_handler(call):
    return organizations.list_(call)
