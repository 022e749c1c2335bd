"""GET /v1/organizations/{organizationId}/ledgers/{ledgerId}/accounts:
every account of the ledger, external ones included (filters alias, type, instrumentCode).
"""

from core.ledger import ledger_accounts, ledgers
from core.platform.pipeline import ListOf, endpoint


@endpoint(
    scope="ledger:read",
    query=ledger_accounts.ListLedgerAccounts,
    path=ledgers.LedgerPath,
    response=ListOf(ledger_accounts.LedgerAccount),
)
def lambda_handler(call):
    return ledger_accounts.list_in_ledger(call)
