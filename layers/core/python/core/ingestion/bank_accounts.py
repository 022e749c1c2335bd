"""Bank accounts ingested by partners (seed 000): `accountNumber` unique per tenant."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import ConfigDict, Field

from core.ingestion import records
from core.ingestion.fields import BankAccountStatus, Countries, RiskEntry, RiskHistory
from core.platform.ids import id_pattern
from core.platform.iso_codes import Currency
from core.platform.pagination import ListParams
from core.platform.pipeline import Call
from core.platform.representations import MetadataMap, Representation, Timestamp
from core.platform.validation import Metadata, RequestModel

KIND = records.Kind(
    name="bank_account",
    prefix="ba",
    collection="bank_accounts",
    unique_field="accountNumber",
    unique_value=lambda fields: fields.get("accountNumber"),  # type: ignore[arg-type,return-value]
    filter_field="status",
    fields=("accountNumber", "referenceId", "status", "currency", "countries", "riskHistory", "customFields"),
    defaults=(("status", "ACTIVE"),),
)
records.register_cascade(KIND)


class BankAccountBody(RequestModel):
    server_owned = frozenset({"clients"})
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "accountNumber": "GB33BUKB20201555555555",
                    "referenceId": "crm-ba-42",
                    "currency": "GBP",
                    "countries": ["GBR"],
                    "customFields": {"branch": "London"},
                }
            ]
        }
    )

    accountNumber: str = Field(min_length=1, max_length=64, pattern=r"^[\x21-\x7e]+$")
    referenceId: records.ReferenceId | None = None
    # Not nullable: a record always has a status (ACTIVE unless sent), and null is not one.
    status: BankAccountStatus = "ACTIVE"
    currency: Currency | None = None
    countries: Countries | None = None
    associatedClients: records.ClientIds | None = None
    riskHistory: RiskHistory | None = None
    customFields: Metadata | None = None


class BankAccountPath(RequestModel):
    bankAccountId: str = Field(pattern=id_pattern("ba"), max_length=64)


class ListBankAccountsQuery(ListParams):
    status: BankAccountStatus | None = Field(default=None, description="Only records in this status.")
    referenceId: records.ReferenceIdFilter = None
    clientId: records.ClientIdFilter = None


class BankAccount(Representation):
    """A bank account the partner ingested, with the customers associated with it."""

    id: str = Field(pattern=id_pattern("ba"))
    object: Literal["bank_account"]
    accountNumber: str
    referenceId: str | None
    status: BankAccountStatus
    currency: str | None = Field(description="ISO 4217.")
    countries: list[str] | None = Field(description="ISO 3166-1 alpha-3.")
    riskHistory: list[RiskEntry] | None
    customFields: MetadataMap | None
    associatedClients: list[records.ClientAssociation]
    createdAt: Timestamp
    updatedAt: Timestamp


def _fields(body: RequestModel) -> dict[str, Any]:
    return body.model_dump(mode="json", exclude_unset=True, exclude={"associatedClients"})


def create(call: Call[BankAccountBody, records.UpsertQuery, None]) -> Any:
    return records.upsert(
        call, KIND, _fields(call.body), call.body.associatedClients, allow_update=call.query.upsert
    )


def get(call: Call[None, None, BankAccountPath]) -> dict[str, Any]:
    return records.get(call, KIND, call.path.bankAccountId)


def list_(call: Call[None, ListBankAccountsQuery, None]) -> dict[str, Any]:
    q = call.query
    return records.list_(
        call, KIND, q, reference_id=q.referenceId, client_id=q.clientId, filter_value=q.status
    )


def add_clients(call: Call[records.ClientsBody, None, BankAccountPath]) -> dict[str, Any]:
    return records.associate(call, KIND, call.path.bankAccountId, call.body.associatedClients)
