"""Ingested bank accounts and blockchain wallets (`/v1/bank-accounts`,
`/v1/blockchain-wallets`, seed 000): their fields, race-safe upserts, client associations
and their part in the customer deactivation cascade. Depends on customers (clients are
customers) and onchain (addresses)."""
