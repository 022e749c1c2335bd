"""GET /v1/blockchain-wallets/{blockchainWalletId}."""

from core import blockchain_wallets
from core.pipeline import endpoint


@endpoint(scope="blockchain_wallets:read", path=blockchain_wallets.WalletPath)
def lambda_handler(call):
    return blockchain_wallets.get(call)
