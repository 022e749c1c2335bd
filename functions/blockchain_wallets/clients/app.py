"""POST /v1/blockchain-wallets/{blockchainWalletId}/clients: associate customers (at most 50)."""

from core import blockchain_wallets, ingestion
from core.pipeline import endpoint


@endpoint(
    scope="blockchain_wallets:write",
    body=ingestion.ClientsBody,
    path=blockchain_wallets.WalletPath,
    response=blockchain_wallets.BlockchainWallet,
)
def lambda_handler(call):
    return blockchain_wallets.add_clients(call)
