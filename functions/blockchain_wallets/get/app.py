"""GET /v1/blockchain-wallets/{blockchainWalletId}: one blockchain wallet."""

from core.ingestion import blockchain_wallets
from core.platform.pipeline import endpoint


@endpoint(
    scope="blockchain_wallets:read",
    path=blockchain_wallets.WalletPath,
    response=blockchain_wallets.BlockchainWallet,
)
def lambda_handler(call):
    return blockchain_wallets.get(call)
