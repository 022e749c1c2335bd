"""GET /v1/blockchain-wallets: newest first; filters chain, referenceId, clientId."""

from core import blockchain_wallets
from core.pipeline import endpoint
from core.representations import ListOf


@endpoint(
    scope="blockchain_wallets:read",
    query=blockchain_wallets.ListWalletsQuery,
    response=ListOf(blockchain_wallets.BlockchainWallet),
)
def lambda_handler(call):
    return blockchain_wallets.list_(call)
