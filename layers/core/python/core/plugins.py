"""The families that plug into the platform's registries, named in one place.

The platform imports no family (an import-linter contract keeps it so), yet its
registries must know who takes part: this module, at the top of the layer, is the one
place that names them. Each entry is a module whose import registers itself; the
platform imports them only where the registry is used, so only the functions that run
it pay for them.
"""

# Modules that register a `core.platform.cascade.Dependent` (what a customer's
# deactivation suspends); loaded by `cascade.run` alone (the deactivate and activate
# functions).
CASCADE_DEPENDENTS: tuple[str, ...] = (
    "core.ingestion.bank_accounts",
    "core.ingestion.blockchain_wallets",
    "core.accounts.accounts",
    "core.bank_information.bank_information",
)
