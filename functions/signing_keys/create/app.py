"""POST /v1/signing-keys: register a public key for the calling API key."""

from core.partners import signing_keys
from core.platform.pipeline import endpoint


@endpoint(
    scope="signing_keys:write",
    body=signing_keys.CreateSigningKey,
    status=201,
    response=signing_keys.SigningKey,
)
def lambda_handler(call):
    return signing_keys.create(call)
