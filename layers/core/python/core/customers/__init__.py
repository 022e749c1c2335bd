"""Customers (`/v1/customers`, seed 000): KYC through a provider (the sandbox's pages and
signed callbacks), Sign-In with Ethereum ownership proofs, and the lifecycle whose
deactivation cascades to what a customer owns."""
