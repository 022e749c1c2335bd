"""`client.bank_accounts` and `client.blockchain_wallets`: ingested records, created or
upserted, read, listed and associated with customers (`/v1/bank-accounts`,
`/v1/blockchain-wallets`). Both share one shape; each names its path and list filters."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from partner_sdk.resources._base import Resource


class IngestedRecords(Resource):
    #: The list's own filter besides referenceId and clientId (`status`, `chain`).
    own_filter = ""

    def create(
        self, body: Mapping[str, Any], *, upsert: bool = False, idempotency_key: str | None = None
    ) -> Any:
        """Create a record from `body` (the API's field names). With `upsert=True` the record
        matched by referenceId, else by its unique value, is updated instead (200)."""
        params = {"upsert": True} if upsert else None
        return self._client.post(self.path, dict(body), params=params, idempotency_key=idempotency_key).json()

    def get(self, record_id: str) -> Any:
        return self._client.get(self._item_path(record_id)).json()

    def list(
        self,
        *,
        reference_id: str | None = None,
        client_id: str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
        **own: str | None,
    ) -> Any:
        """One page, newest first: `{"data": [...], "nextCursor": ...}`."""
        return self._page(self._filters(reference_id, client_id, limit, cursor, own))

    def iterate(
        self,
        *,
        reference_id: str | None = None,
        client_id: str | None = None,
        limit: int | None = None,
        **own: str | None,
    ) -> Iterator[Any]:
        """Every record matching the filters, page after page."""
        return self._every(self._filters(reference_id, client_id, limit, None, own))

    def add_clients(
        self, record_id: str, customer_ids: Sequence[str], *, idempotency_key: str | None = None
    ) -> Any:
        """Associate customers (at most 50 in all); returns the record."""
        return self._client.post(
            self._item_path(record_id, "clients"),
            {"associatedClients": list(customer_ids)},
            idempotency_key=idempotency_key,
        ).json()

    def _filters(
        self,
        reference_id: str | None,
        client_id: str | None,
        limit: int | None,
        cursor: str | None,
        own: Mapping[str, str | None],
    ) -> dict[str, Any]:
        unknown = set(own) - {self.own_filter}
        if unknown:
            raise TypeError(f"unknown filter(s) for {self.path}: {', '.join(sorted(unknown))}")
        return {
            self.own_filter: own.get(self.own_filter),
            "referenceId": reference_id,
            "clientId": client_id,
            "limit": limit,
            "cursor": cursor,
        }


class BankAccounts(IngestedRecords):
    path = "/v1/bank-accounts"
    own_filter = "status"


class BlockchainWallets(IngestedRecords):
    path = "/v1/blockchain-wallets"
    own_filter = "chain"
