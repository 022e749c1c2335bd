"""DELETE /v1/signing-keys/{keyId}: remove a key (never the last one while signatures are required)."""

from core.partners import signing_keys
from core.platform.pipeline import endpoint


@endpoint(scope="signing_keys:write", path=signing_keys.SigningKeyPath, status=204)
def lambda_handler(call):
    return signing_keys.delete(call)
