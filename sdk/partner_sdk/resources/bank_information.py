"""`client.bank_information` and `client.supported_banks`: users' bank details for ramps in
Mexico and the Dominican Republic, registered (created or updated), read and listed
(`/v1/bank-information`), and the catalogue of banks they may name (`/v1/supported-banks`).

A POST is itself create-or-update: it creates the record (201) or updates the one of the
same userId, country and accountNumber (200), so there is no `upsert` query. The body
states the record in full: a field left out is cleared on update (`rampType` goes back to
OFF_RAMP, `documentNumber` to the customer's KYC one). `create` returns the record;
`save` is the same call answered as a `Response`, whose `status` tells which it was."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Final, Literal

from partner_sdk.resources._base import Resource, api_fields

if TYPE_CHECKING:
    from partner_sdk.client import Response

Country = Literal["MX", "DO"]
AccountType = Literal["CHECKING", "SAVINGS"]
RampType = Literal["ON_RAMP", "OFF_RAMP"]
#: snake_case spellings of the API's camelCase fields.
FIELDS: Final = {
    "user_id": "userId",
    "bank_name": "bankName",
    "supported_bank_id": "supportedBankId",
    "account_number": "accountNumber",
    "account_type": "accountType",
    "document_number": "documentNumber",
    "ramp_type": "rampType",
}


class BankInformation(Resource):
    path = "/v1/bank-information"

    def create(
        self,
        user_id: str,
        country: Country,
        account_number: str,
        account_type: AccountType,
        *,
        supported_bank_id: str | None = None,
        bank_name: str | None = None,
        clabe: str | None = None,
        document_number: str | None = None,
        ramp_type: RampType | None = None,
        idempotency_key: str | None = None,
    ) -> Any:
        """Register an active customer's bank details; returns the record, created (201) or,
        when the user already has one for this country and account number, updated (200).
        `save` takes the same arguments and answers the `Response` (its `status` says which).

        Name the bank by `supported_bank_id` (`supported_banks.list`) or, for one not listed,
        `bank_name`. `clabe` is for MX only. Fields passed as None are left out, which on an
        update clears them (the body states the record in full)."""
        return self.save(
            user_id,
            country,
            account_number,
            account_type,
            supported_bank_id=supported_bank_id,
            bank_name=bank_name,
            clabe=clabe,
            document_number=document_number,
            ramp_type=ramp_type,
            idempotency_key=idempotency_key,
        ).json()

    def save(
        self,
        user_id: str,
        country: Country,
        account_number: str,
        account_type: AccountType,
        *,
        supported_bank_id: str | None = None,
        bank_name: str | None = None,
        clabe: str | None = None,
        document_number: str | None = None,
        ramp_type: RampType | None = None,
        idempotency_key: str | None = None,
    ) -> Response:
        """The POST of `create`, answered as the SDK's `Response`: `status` 201 when it
        created the record, 200 when it updated it; `json()` is the record; `replayed` is
        True when the API replayed the answer stored for the Idempotency-Key (the status is
        then the first answer's)."""
        fields = {
            "user_id": user_id,
            "bank_name": bank_name,
            "supported_bank_id": supported_bank_id,
            "account_number": account_number,
            "account_type": account_type,
            "clabe": clabe,
            "country": country,
            "document_number": document_number,
            "ramp_type": ramp_type,
        }
        return self._client.post(self.path, api_fields(fields, FIELDS), idempotency_key=idempotency_key)

    def get(self, bank_information_id: str) -> Any:
        """One record (`bi_...`)."""
        return self._client.get(self._item_path(bank_information_id)).json()

    def list(
        self,
        user_id: str | None = None,
        country: Country | None = None,
        ramp_type: RampType | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> Any:
        """One page, newest first: `{"data": [...], "nextCursor": ...}`."""
        return self._page(_filters(user_id, country, ramp_type, limit, cursor))

    def iterate(
        self,
        user_id: str | None = None,
        country: Country | None = None,
        ramp_type: RampType | None = None,
        limit: int | None = None,
    ) -> Iterator[Any]:
        """Every record matching the filters, page after page (`limit` is the page size)."""
        return self._every(_filters(user_id, country, ramp_type, limit, None))


class SupportedBanks(Resource):
    """The banks `supported_bank_id` may name: `{id, object, country, name, code, swift?}`,
    in id order (`bank_mx_012`: for Mexico `code` is the Banxico code that opens a CLABE)."""

    path = "/v1/supported-banks"

    def list(
        self, country: Country | None = None, limit: int | None = None, cursor: str | None = None
    ) -> Any:
        """One page, in id order: `{"data": [...], "nextCursor": ...}`."""
        return self._page({"country": country, "limit": limit, "cursor": cursor})

    def iterate(self, country: Country | None = None, limit: int | None = None) -> Iterator[Any]:
        """Every supported bank (of `country`), page after page."""
        return self._every({"country": country, "limit": limit})


def _filters(
    user_id: str | None,
    country: Country | None,
    ramp_type: RampType | None,
    limit: int | None,
    cursor: str | None,
) -> dict[str, Any]:
    return {"userId": user_id, "country": country, "rampType": ramp_type, "limit": limit, "cursor": cursor}
