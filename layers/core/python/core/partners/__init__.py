"""Partners: onboarding by the operator (tenants, API keys, scopes, signature policy) and
the partner's own signing keys (`/v1/signing-keys`)."""
