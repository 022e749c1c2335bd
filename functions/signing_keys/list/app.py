"""GET /v1/signing-keys: the calling API key's signing keys, newest first."""

from core.partners import signing_keys
from core.platform.pipeline import ListOf, endpoint


@endpoint(
    scope="signing_keys:read",
    query=signing_keys.ListSigningKeysQuery,
    response=ListOf(signing_keys.SigningKey),
)
def lambda_handler(call):
    return signing_keys.list_(call)
