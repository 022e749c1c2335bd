"""`client.accounts`: customers' accounts, opened, read, listed, labelled and closed, and
what receives money into them: account numbers (IBAN, ABA, CLABE) for fiat accounts,
deposit addresses for wallet accounts (`/v1/accounts`)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Final, Literal

from partner_sdk.resources._base import Resource, api_fields

AccountType = Literal["demand_deposit", "virtual", "wallet"]
AccountStatus = Literal["pending", "active", "suspended", "closed"]
Purpose = Literal[
    "operating", "payroll", "vendor_payments", "treasury", "collections", "disbursement", "escrow", "other"
]
NumberScheme = Literal["iban", "aba", "clabe"]
#: snake_case spellings of the API's camelCase fields.
FIELDS: Final = {"customer_id": "customerId"}


class Accounts(Resource):
    path = "/v1/accounts"

    def create(
        self,
        customer_id: str,
        type: AccountType,
        *,
        currency: str | None = None,
        asset: str | None = None,
        chain: str | None = None,
        label: str | None = None,
        purpose: Purpose | None = None,
        metadata: Mapping[str, str | None] | None = None,
        idempotency_key: str | None = None,
    ) -> Any:
        """Open an account for an active customer holding the `accounts` capability; returns
        it (201) with empty `accountNumbers` and `blockchainAddresses`.

        `demand_deposit` and `virtual` accounts take `currency` (ISO 4217); `wallet`
        accounts take `asset` and `chain`. Fields passed as None are left out."""
        fields = {
            "customer_id": customer_id,
            "type": type,
            "currency": currency,
            "asset": asset,
            "chain": chain,
            "label": label,
            "purpose": purpose,
            "metadata": dict(metadata) if metadata is not None else None,
        }
        body = api_fields(fields, FIELDS)
        return self._client.post(self.path, body, idempotency_key=idempotency_key).json()

    def get(self, account_id: str) -> Any:
        """One account, with its `accountNumbers` and `blockchainAddresses`."""
        return self._client.get(self._item_path(account_id)).json()

    def list(
        self,
        customer_id: str | None = None,
        type: AccountType | None = None,
        status: AccountStatus | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> Any:
        """One page, newest first: `{"data": [...], "nextCursor": ...}` (the accounts without
        their numbers and addresses; `get` has them)."""
        return self._page(_filters(customer_id, type, status, limit, cursor))

    def iterate(
        self,
        customer_id: str | None = None,
        type: AccountType | None = None,
        status: AccountStatus | None = None,
        limit: int | None = None,
    ) -> Iterator[Any]:
        """Every account matching the filters, page after page (`limit` is the page size)."""
        return self._every(_filters(customer_id, type, status, limit, None))

    def update(
        self,
        account_id: str,
        *,
        label: str | None = None,
        purpose: Purpose | None = None,
        metadata: Mapping[str, str | None] | None = None,
        idempotency_key: str | None = None,
    ) -> Any:
        """PATCH the fields given (the others are left as they are). `metadata` is merged
        into the account's: a key set to None is removed. Returns the account with its
        numbers and addresses."""
        body = api_fields(
            {
                "label": label,
                "purpose": purpose,
                "metadata": dict(metadata) if metadata is not None else None,
            },
            FIELDS,
        )
        if not body:
            raise ValueError("nothing to update: pass label, purpose or metadata")
        return self._client.patch(self._item_path(account_id), body, idempotency_key=idempotency_key).json()

    def close(self, account_id: str, *, idempotency_key: str | None = None) -> Any:
        """active | suspended -> closed, for good; its numbers and addresses go `inactive`.
        Returns the account."""
        return self._client.post(
            self._item_path(account_id, "close"), {}, idempotency_key=idempotency_key
        ).json()

    def issue_number(
        self, account_id: str, scheme: NumberScheme | None = None, *, idempotency_key: str | None = None
    ) -> Any:
        """Issue an account number to a fiat account (201): `iban`, `aba` or `clabe`, by
        default the scheme of the account's currency (USD `aba`, MXN `clabe`, IBAN
        currencies `iban`)."""
        body = {"scheme": scheme} if scheme is not None else {}
        return self._client.post(
            self._item_path(account_id, "account-numbers"), body, idempotency_key=idempotency_key
        ).json()

    def issue_address(self, account_id: str, *, idempotency_key: str | None = None) -> Any:
        """Derive the next deposit address of a wallet account's chain (201)."""
        return self._client.post(
            self._item_path(account_id, "blockchain-addresses"), {}, idempotency_key=idempotency_key
        ).json()


def _filters(
    customer_id: str | None,
    type: AccountType | None,
    status: AccountStatus | None,
    limit: int | None,
    cursor: str | None,
) -> dict[str, Any]:
    return {"customerId": customer_id, "type": type, "status": status, "limit": limit, "cursor": cursor}
