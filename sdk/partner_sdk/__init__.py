"""The partner's side of the partner API: a signing HTTP client and the `partner` CLI.

This package is what a partner installs; it never imports the server's code.
"""

from partner_sdk.client import PartnerClient, Response
from partner_sdk.credentials import Credentials, CredentialsError, load_credentials
from partner_sdk.errors import (
    ApiError,
    AuthenticationError,
    IdempotencyError,
    InvalidRequestError,
    PartnerApiError,
    PermissionDeniedError,
    RateLimitError,
)
from partner_sdk.signing import load_private_key, rfc9421_headers, simple_headers

__all__ = [
    "ApiError",
    "AuthenticationError",
    "Credentials",
    "CredentialsError",
    "IdempotencyError",
    "InvalidRequestError",
    "PartnerApiError",
    "PartnerClient",
    "PermissionDeniedError",
    "RateLimitError",
    "Response",
    "load_credentials",
    "load_private_key",
    "rfc9421_headers",
    "simple_headers",
]
__version__ = "0.1.0"
