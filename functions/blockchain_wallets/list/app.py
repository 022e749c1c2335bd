"""GET /v1/blockchain-wallets: newest first; filters chain, referenceId, clientId."""

from core.ingestion import blockchain_wallets
from core.platform.pipeline import ListOf, endpoint


@endpoint(
    scope="blockchain_wallets:read",
    query=blockchain_wallets.ListWalletsQuery,
    response=ListOf(blockchain_wallets.BlockchainWallet),
)
def lambda_handler(call):
    return blockchain_wallets.list_(call)
