"""POST /v1/blockchain-wallets[?upsert=true]: create (201), or with upsert update the record
matched by referenceId, else address (200)."""

from core.ingestion import blockchain_wallets, records
from core.platform.pipeline import endpoint


@endpoint(
    scope="blockchain_wallets:write",
    body=blockchain_wallets.WalletBody,
    query=records.UpsertQuery,
    status=201,
    other_statuses=(200,),
    response=blockchain_wallets.BlockchainWallet,
)
def lambda_handler(call):
    return blockchain_wallets.create(call)
