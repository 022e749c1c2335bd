"""The ledger hierarchy (seed 003, Midaz): organizations, ledgers, instruments, portfolios,
products and their accounts."""
