"""Bank accounts ingested by partners (seed 000): `accountNumber` unique per tenant."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from core import ingestion
from core.ids import id_pattern
from core.ingest_fields import BankAccountStatus, Countries, Currency, RiskHistory
from core.pagination import ListParams
from core.pipeline import Call
from core.validation import Metadata, RequestModel

KIND = ingestion.Kind(
    name="bank_account",
    prefix="ba",
    collection="bank_accounts",
    unique_field="accountNumber",
    unique_value=lambda fields: fields.get("accountNumber"),  # type: ignore[arg-type,return-value]
    filter_field="status",
    fields=("accountNumber", "referenceId", "status", "currency", "countries", "riskHistory", "customFields"),
    defaults=(("status", "ACTIVE"),),
)
ingestion.register_cascade(KIND)


class BankAccountBody(RequestModel):
    server_owned = frozenset({"clients"})

    accountNumber: str = Field(min_length=1, max_length=64, pattern=r"^[\x21-\x7e]+$")
    referenceId: str | None = Field(default=None, min_length=1, max_length=128, pattern=r"^[\x21-\x7e]+$")
    status: BankAccountStatus | None = None
    currency: Currency | None = None
    countries: Countries | None = None
    associatedClients: list[str] | None = Field(default=None, max_length=ingestion.MAX_CLIENTS)
    riskHistory: RiskHistory | None = None
    customFields: Metadata | None = None


class BankAccountPath(RequestModel):
    bankAccountId: str = Field(pattern=id_pattern("ba"), max_length=64)


class ListBankAccountsQuery(ListParams):
    status: BankAccountStatus | None = None
    referenceId: str | None = Field(default=None, min_length=1, max_length=128)
    clientId: str | None = Field(default=None, pattern=id_pattern("cus"), max_length=64)


def _fields(body: RequestModel) -> dict[str, Any]:
    return body.model_dump(mode="json", exclude_unset=True, exclude={"associatedClients"})


def create(call: Call[BankAccountBody, ingestion.UpsertQuery, None]) -> Any:
    return ingestion.upsert(
        call, KIND, _fields(call.body), call.body.associatedClients, allow_update=call.query.upsert
    )


def get(call: Call[None, None, BankAccountPath]) -> dict[str, Any]:
    return ingestion.get(call, KIND, call.path.bankAccountId)


def list_(call: Call[None, ListBankAccountsQuery, None]) -> dict[str, Any]:
    q = call.query
    return ingestion.list_(
        call, KIND, q, reference_id=q.referenceId, client_id=q.clientId, filter_value=q.status
    )


def add_clients(call: Call[ingestion.ClientsBody, None, BankAccountPath]) -> dict[str, Any]:
    return ingestion.associate(call, KIND, call.path.bankAccountId, call.body.associatedClients)
