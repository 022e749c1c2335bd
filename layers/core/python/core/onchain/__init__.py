"""On-chain formats shared by the families that hold addresses: CAIP-10 account ids,
EIP-55 checksums and Keccak-256 (`addresses`), and each chain's address rules (`chains`).
No endpoints of its own."""
