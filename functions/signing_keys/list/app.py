"""GET /v1/signing-keys: the calling API key's signing keys, newest first."""

from core import signing_keys
from core.pagination import ListParams
from core.pipeline import endpoint
from core.representations import ListOf


@endpoint(scope="signing_keys:read", query=ListParams, response=ListOf(signing_keys.SigningKey))
def lambda_handler(call):
    return signing_keys.list_(call)
