"""GET /v1/blockchain-wallets/{blockchainWalletId}: one blockchain wallet."""

from core import blockchain_wallets
from core.pipeline import endpoint


@endpoint(
    scope="blockchain_wallets:read",
    path=blockchain_wallets.WalletPath,
    response=blockchain_wallets.BlockchainWallet,
)
def lambda_handler(call):
    return blockchain_wallets.get(call)
