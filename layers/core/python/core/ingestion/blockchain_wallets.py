"""Blockchain wallets ingested by partners (seed 000): `address` unique per tenant and
chain, and valid for its chain when the chain is known."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import ConfigDict, Field, model_validator

from core.ingestion import records
from core.ingestion.fields import Integration, Integrations, RiskEntry, RiskHistory, ScreeningDate
from core.onchain import chains
from core.platform.errors import ParameterInvalid
from core.platform.ids import id_pattern
from core.platform.pagination import ListParams
from core.platform.pipeline import Call
from core.platform.representations import MetadataMap, Representation, Timestamp
from core.platform.validation import Metadata, RequestModel

CHAIN = r"^[a-z0-9][a-z0-9-]{1,31}$"


def _unique(fields: dict[str, Any]) -> str:
    return f"{fields.get('chain') or 'none'}#{chains.unique_address(fields.get('chain'), fields['address'])}"


def _merged(fields: dict[str, Any]) -> dict[str, Any]:
    """An upsert without `chain` keeps the record's: its address must fit that chain too."""
    return {**fields, "address": chains.validate_address(fields.get("chain"), fields["address"])}


KIND = records.Kind(
    name="blockchain_wallet",
    prefix="bw",
    collection="blockchain_wallets",
    unique_field="address",
    unique_value=_unique,
    filter_field="chain",
    merged=_merged,
    fields=(
        "address",
        "chain",
        "referenceId",
        "screeningDate",
        "riskHistory",
        "integrations",
        "customFields",
    ),
)
records.register_cascade(KIND)


class WalletBody(RequestModel):
    server_owned = frozenset({"clients"})
    model_config = ConfigDict(
        json_schema_extra={
            # `_address_fits_chain`'s rules, as far as patterns can say them.
            "allOf": chains.address_schema_rules(),
            "examples": [
                {
                    "address": "0xab16a96D359eC26a11e2C2b3d8f8B8942d5Bfcdb",
                    "chain": "ethereum",
                    "referenceId": "crm-bw-42",
                    "screeningDate": "2026-02-20",
                    "riskHistory": [
                        {
                            "score": 12,
                            "level": "LOW",
                            "source": "chainalysis",
                            "assessedAt": "2026-02-20T09:30:00Z",
                        }
                    ],
                }
            ],
        }
    )

    address: str = Field(
        min_length=chains.ADDRESS_MIN_LENGTH,
        max_length=chains.ADDRESS_MAX_LENGTH,
        description=chains.ADDRESS_DESCRIPTION,
        json_schema_extra={"pattern": chains.ADDRESS_PATTERN},
    )
    chain: str | None = Field(default=None, pattern=CHAIN)
    referenceId: records.ReferenceId | None = None
    screeningDate: ScreeningDate | None = None
    associatedClients: records.ClientIds | None = None
    riskHistory: RiskHistory | None = None
    integrations: Integrations | None = None
    customFields: Metadata | None = None

    @model_validator(mode="after")
    def _address_fits_chain(self) -> WalletBody:
        try:
            self.address = chains.validate_address(self.chain, self.address)
        except ValueError as exc:  # a rule across two fields: name the one to fix
            raise ParameterInvalid(f"Invalid address: {exc}", param="address") from None
        return self


class WalletPath(RequestModel):
    blockchainWalletId: str = Field(pattern=id_pattern("bw"), max_length=64)


class ListWalletsQuery(ListParams):
    chain: str | None = Field(default=None, pattern=CHAIN, description="Only wallets on this chain.")
    referenceId: records.ReferenceIdFilter = None
    clientId: records.ClientIdFilter = None


class BlockchainWallet(Representation):
    """A blockchain wallet the partner ingested, with the customers associated with it."""

    id: str = Field(pattern=id_pattern("bw"))
    object: Literal["blockchain_wallet"]
    address: str = Field(description="On an EVM chain, in its EIP-55 checksum form.")
    chain: str | None
    referenceId: str | None
    screeningDate: str | None = Field(description="`YYYY-MM-DD`, or an RFC 3339 date-time in UTC.")
    riskHistory: list[RiskEntry] | None
    integrations: list[Integration] | None
    customFields: MetadataMap | None
    associatedClients: list[records.ClientAssociation]
    createdAt: Timestamp
    updatedAt: Timestamp


def create(call: Call[WalletBody, Any, None]) -> Any:
    fields = call.body.model_dump(mode="json", exclude_unset=True, exclude={"associatedClients"})
    fields["address"] = call.body.address  # normalised by the chain's rules
    return records.upsert(call, KIND, fields, call.body.associatedClients, allow_update=call.query.upsert)


def get(call: Call[None, None, WalletPath]) -> dict[str, Any]:
    return records.get(call, KIND, call.path.blockchainWalletId)


def list_(call: Call[None, ListWalletsQuery, None]) -> dict[str, Any]:
    q = call.query
    return records.list_(
        call, KIND, q, reference_id=q.referenceId, client_id=q.clientId, filter_value=q.chain
    )


def add_clients(call: Call[Any, None, WalletPath]) -> dict[str, Any]:
    return records.associate(call, KIND, call.path.blockchainWalletId, call.body.associatedClients)
