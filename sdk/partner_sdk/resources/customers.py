"""`client.customers`: onboarding with KYC, the on-chain ownership proof, deactivation and
activation (`/v1/customers`)."""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterator
from typing import Any, Final

from partner_sdk.resources._base import Resource, api_fields

#: snake_case spellings `create` accepts for the API's camelCase fields.
FIELDS: Final = {
    "external_id": "externalId",
    "onchain_id": "onchainId",
    "document_number": "documentNumber",
}
#: The sandbox KYC provider's pages: `<base>/sandbox/kyc/<token>`.
SANDBOX_PAGE: Final = "/sandbox/kyc/"


class Customers(Resource):
    path = "/v1/customers"

    def create(self, *, idempotency_key: str | None = None, **fields: Any) -> Any:
        """Create a customer and start its KYC; returns the customer (`status: pending`),
        with `verificationUrl` and, for an on-chain customer, `challenge`
        (`{"message", "expiresAt"}`) to sign with `partner_sdk.ethereum.sign_challenge`.

        Fields as the API spells them (`type`, `name`, `email`, `country`, `documentNumber`,
        `externalId`, `onchainId`, `metadata`); `external_id`, `onchain_id` and
        `document_number` are accepted too. Fields passed as None are left out.
        """
        body = api_fields(fields, FIELDS)
        return self._client.post(self.path, body, idempotency_key=idempotency_key).json()

    def get(self, customer_id: str) -> Any:
        return self._client.get(self._item_path(customer_id)).json()

    def list(
        self,
        status: str | None = None,
        external_id: str | None = None,
        onchain_id: str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> Any:
        """One page: `{"data": [...], "nextCursor": ...}` (`iterate` follows the pages)."""
        return self._page(_filters(status, external_id, onchain_id, limit, cursor))

    def iterate(
        self,
        status: str | None = None,
        external_id: str | None = None,
        onchain_id: str | None = None,
        limit: int | None = None,
    ) -> Iterator[Any]:
        """Every customer matching the filters, page after page (`limit` is the page size)."""
        return self._every(_filters(status, external_id, onchain_id, limit, None))

    def new_challenge(self, customer_id: str, *, idempotency_key: str | None = None) -> Any:
        """Ask for a new on-chain ownership challenge (it replaces any earlier one); returns
        the customer with `challenge: {"message", "expiresAt"}`."""
        return self._client.post(
            self._item_path(customer_id, "challenge"), idempotency_key=idempotency_key
        ).json()

    def verify_challenge(
        self, customer_id: str, signature: str, *, idempotency_key: str | None = None
    ) -> Any:
        """Send the EIP-191 `personal_sign` signature (`0x` + 130 hex) of the customer's current
        challenge; returns the customer with `onchainVerifiedAt` set."""
        return self._client.post(
            self._item_path(customer_id, "challenge/verify"),
            {"signature": signature},
            idempotency_key=idempotency_key,
        ).json()

    def deactivate(self, customer_id: str, *, idempotency_key: str | None = None) -> Any:
        """active -> inactive, cascading to what the customer owns; returns the customer."""
        return self._client.patch(
            self._item_path(customer_id, "deactivate"), idempotency_key=idempotency_key
        ).json()

    def activate(self, customer_id: str, *, idempotency_key: str | None = None) -> Any:
        """inactive -> active, restoring what the deactivation changed; returns the customer."""
        return self._client.patch(
            self._item_path(customer_id, "activate"), idempotency_key=idempotency_key
        ).json()

    def decide_in_sandbox(self, customer_id: str, *, approve: bool = True, reason: str | None = None) -> Any:
        """Sandbox only: make the KYC decision a person would make on the customer's
        verification page (`verificationUrl`, the sandbox provider's page), by posting its
        form as the Approve / Reject buttons do. Returns the customer read again.

        Raises ValueError when the customer has no sandbox verification page or is no
        longer pending, and `SandboxDecisionError` when the page refuses the decision."""
        customer = self.get(customer_id)
        url = customer.get("verificationUrl") if isinstance(customer, dict) else None
        if not isinstance(url, str) or SANDBOX_PAGE not in urllib.parse.urlsplit(url).path:
            raise ValueError(f"{customer_id} has no sandbox verification page (its KYC is not the sandbox's)")
        if customer.get("status") != "pending":
            raise ValueError(f"{customer_id} is {customer.get('status')}, not pending: its KYC is decided")
        form = {"decision": "approved" if approve else "rejected"}
        if not approve and reason:
            form["reason"] = reason
        answer = self._client.http.post(
            url.rstrip("/") + "/decision", data=form, headers={"Accept": "text/html"}
        )
        if answer.status_code != 200:
            raise SandboxDecisionError(answer.status_code, url)
        return self.get(customer_id)


class SandboxDecisionError(Exception):
    """The sandbox's KYC page did not record the decision (its HTTP status says why)."""

    def __init__(self, status: int, url: str) -> None:
        super().__init__(f"the sandbox KYC page answered HTTP {status} ({url})")
        self.status = status


def _filters(
    status: str | None, external_id: str | None, onchain_id: str | None, limit: int | None, cursor: str | None
) -> dict[str, Any]:
    return {
        "status": status,
        "externalId": external_id,
        "onchainId": onchain_id,
        "limit": limit,
        "cursor": cursor,
    }
