"""POST /v1/blockchain-wallets/{blockchainWalletId}/clients: associate customers (at most 50)."""

from core.ingestion import blockchain_wallets, records
from core.platform.pipeline import endpoint


@endpoint(
    scope="blockchain_wallets:write",
    body=records.ClientsBody,
    path=blockchain_wallets.WalletPath,
    response=blockchain_wallets.BlockchainWallet,
)
def lambda_handler(call):
    return blockchain_wallets.add_clients(call)
