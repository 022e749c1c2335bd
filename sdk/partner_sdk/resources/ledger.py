"""`client.ledger`: the ledger hierarchy (seed 003, Midaz's model): organizations, their
ledgers, and under a ledger its instruments, portfolios, products and, under a portfolio,
its accounts (`/v1/organizations/...`). Six groups, `client.ledger.organizations` to
`client.ledger.accounts`, each with `create`, `get`, `list`, `iterate`, `update` and
`delete`; the accounts are also read across the ledger (`list_in_ledger`,
`iterate_in_ledger`, `get_in_ledger`, `find`).

Every call takes the ids of its path in path order, outermost first:
`ledgers.get(organization_id, ledger_id)`, `accounts.create(organization_id, ledger_id,
portfolio_id, ...)`; each id is percent-encoded into one path segment. `status` is a code
(`"ACTIVE"`) or the API's `{"code", "description"}`. Unlike `client.accounts`, an
update's `metadata` replaces the whole map (Midaz's rule); `clear=` names the fields an
update sets to null. Deletes are soft and answer 204 (`delete` returns None); one under
which resources live, or that a live account names, is 409 `state_conflict`.
`create_from` / `update_from` send a body as the API spells it (Midaz's JSON as is).

`client.ledger.transactions` books Midaz's transactions in a ledger (`create` with the
JSON as a dict, or `transfer` for one source and one destination), reads and lists them,
and commits, cancels or reverts one; `accounts.statement` lists an account's operations.
Amounts are integers of minor units at a `scale`, never floats."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, Final, Literal

from partner_sdk.resources._base import Resource, api_fields, segment

if TYPE_CHECKING:
    from partner_sdk.client import PartnerClient

InstrumentType = Literal["currency", "crypto", "commodity", "others"]
AccountType = Literal["deposit", "savings", "loans", "overdrafts", "marketplace", "creditCard"]
#: The ledger-wide list's `type` filter also takes `external` (the instruments' own accounts).
LedgerAccountType = Literal[AccountType, "external"]
#: A status code (`"ACTIVE"`, sent as `{"code": "ACTIVE"}`) or `{"code", "description"?}`.
Status = str | Mapping[str, Any]
Metadata = Mapping[str, str | None]
#: snake_case spellings of the API's camelCase fields.
FIELDS: Final = {
    "legal_name": "legalName",
    "doing_business_as": "doingBusinessAs",
    "legal_document": "legalDocument",
    "parent_organization_id": "parentOrganizationId",
    "entity_id": "entityId",
    "instrument_code": "instrumentCode",
    "parent_account_id": "parentAccountId",
    "product_id": "productId",
    "allow_sending": "allowSending",
    "allow_receiving": "allowReceiving",
}


def ledger_path(collections: tuple[str, ...], ids: tuple[str, ...]) -> str:
    """`/v1/organizations/{id}/ledgers/{id}/...`: each collection followed by its id, the
    last one with or without its own."""
    if not len(collections) - 1 <= len(ids) <= len(collections):
        raise TypeError(f"{len(ids)} ids for {'/'.join(collections)}")
    parts = ["", "v1"]
    for index, name in enumerate(collections):
        parts.append(name)
        if index < len(ids):
            parts.append(segment(ids[index]))
    return "/".join(parts)


def api_body(fields: Mapping[str, Any]) -> dict[str, Any]:
    """Keyword arguments as the API's body: camelCase names, a status code as `{"code"}`,
    mappings copied; None values left out."""
    body = api_fields(fields, FIELDS)
    if isinstance(body.get("status"), str):
        body["status"] = {"code": body["status"]}
    return {name: dict(value) if isinstance(value, Mapping) else value for name, value in body.items()}


class Kind(Resource):
    """One kind of the hierarchy: where it sits in the path (`collections`, from the top
    down to its own) and the calls every kind shares."""

    collections: tuple[str, ...] = ()

    def _at(self, ids: tuple[str, ...], count: int) -> str:
        if len(ids) != count:
            names = ", ".join(f"{name[:-1]}_id" for name in self.collections[:count])
            raise TypeError(f"expected {count} ids ({names}), got {len(ids)}")
        return ledger_path(self.collections, ids)

    def _collection(self, parent_ids: tuple[str, ...]) -> str:
        return self._at(parent_ids, len(self.collections) - 1)

    def _item(self, ids: tuple[str, ...]) -> str:
        return self._at(ids, len(self.collections))

    def get(self, *ids: str) -> Any:
        """One resource, by the ids of its path (its parents' and its own)."""
        return self._client.get(self._item(ids)).json()

    def delete(self, *ids: str, idempotency_key: str | None = None) -> None:
        """Soft-delete it (204): later reads are 404, lists leave it out. 409
        `state_conflict` while resources live under it or a live account names it."""
        self._client.delete(self._item(ids), idempotency_key=idempotency_key)

    def create_from(
        self, *parent_ids: str, body: Mapping[str, Any], idempotency_key: str | None = None
    ) -> Any:
        """Create one under its parents from `body` as the API spells it (Midaz's JSON as
        is); returns it (201)."""
        return self._client.post(
            self._collection(parent_ids), dict(body), idempotency_key=idempotency_key
        ).json()

    def update_from(self, *ids: str, body: Mapping[str, Any], idempotency_key: str | None = None) -> Any:
        """PATCH `body` as the API spells it: the fields it names change (a null clears
        one, `metadata` is replaced whole); returns the resource."""
        return self._client.patch(self._item(ids), dict(body), idempotency_key=idempotency_key).json()

    def _create(
        self, parent_ids: tuple[str, ...], fields: Mapping[str, Any], idempotency_key: str | None
    ) -> Any:
        return self.create_from(*parent_ids, body=api_body(fields), idempotency_key=idempotency_key)

    def _update(
        self,
        ids: tuple[str, ...],
        fields: Mapping[str, Any],
        clear: Iterable[str],
        idempotency_key: str | None,
    ) -> Any:
        """PATCH the fields given and null for each field named in `clear` (a keyword of
        the update, or its API spelling); nothing at all is a ValueError."""
        body = api_body(fields)
        editable = {FIELDS.get(name, name) for name in fields}
        for name in clear:
            api_name = FIELDS.get(name, name)
            if api_name not in editable:
                raise ValueError(f"cannot clear {name!r}: the update takes {', '.join(fields)}")
            if api_name in body:
                raise ValueError(f"{name} is both given and cleared")
            body[api_name] = None
        if not body:
            raise ValueError(f"nothing to update: pass {', '.join(fields)} or clear=")
        return self.update_from(*ids, body=body, idempotency_key=idempotency_key)


class _ListedByStatus(Kind):
    """The five kinds above the accounts: their lists filter by `status` (its code)."""

    def list(
        self, *parent_ids: str, status: str | None = None, limit: int | None = None, cursor: str | None = None
    ) -> Any:
        """One page under the parents, newest first: `{"data": [...], "nextCursor": ...}`."""
        return self._page({"status": status, "limit": limit, "cursor": cursor}, self._collection(parent_ids))

    def iterate(self, *parent_ids: str, status: str | None = None, limit: int | None = None) -> Iterator[Any]:
        """Every one under the parents (with that status code), page after page."""
        return self._every({"status": status, "limit": limit}, self._collection(parent_ids))


class Organizations(_ListedByStatus):
    """`/v1/organizations/{organizationId}`: `get(organization_id)`, `list()`, ..."""

    collections = ("organizations",)

    def create(
        self,
        legal_name: str,
        legal_document: str,
        address: Mapping[str, Any],
        *,
        doing_business_as: str | None = None,
        parent_organization_id: str | None = None,
        status: Status | None = None,
        metadata: Metadata | None = None,
        idempotency_key: str | None = None,
    ) -> Any:
        """Create an organization (201). `address` as the API spells it: `{"line1",
        "line2"?, "zipCode", "city", "state", "country"}` (ISO 3166-1 alpha-2);
        `parent_organization_id` another of the partner's organizations."""
        fields = {
            "legal_name": legal_name,
            "doing_business_as": doing_business_as,
            "legal_document": legal_document,
            "parent_organization_id": parent_organization_id,
            "address": address,
            "status": status,
            "metadata": metadata,
        }
        return self._create((), fields, idempotency_key)

    def update(
        self,
        organization_id: str,
        *,
        legal_name: str | None = None,
        doing_business_as: str | None = None,
        parent_organization_id: str | None = None,
        address: Mapping[str, Any] | None = None,
        status: Status | None = None,
        metadata: Metadata | None = None,
        clear: Iterable[str] = (),
        idempotency_key: str | None = None,
    ) -> Any:
        """PATCH the fields given (`address` and `metadata` replaced whole);
        `clear=["doing_business_as", "parent_organization_id", "metadata"]` nulls them.
        `legalDocument` never changes."""
        fields = {
            "legal_name": legal_name,
            "doing_business_as": doing_business_as,
            "parent_organization_id": parent_organization_id,
            "address": address,
            "status": status,
            "metadata": metadata,
        }
        return self._update((organization_id,), fields, clear, idempotency_key)


class Ledgers(_ListedByStatus):
    """`/v1/organizations/{organizationId}/ledgers/{ledgerId}`: `get(organization_id,
    ledger_id)`, `list(organization_id)`, ..."""

    collections = ("organizations", "ledgers")

    def create(
        self,
        organization_id: str,
        name: str,
        *,
        status: Status | None = None,
        metadata: Metadata | None = None,
        idempotency_key: str | None = None,
    ) -> Any:
        """Create a ledger of the organization (201)."""
        fields = {"name": name, "status": status, "metadata": metadata}
        return self._create((organization_id,), fields, idempotency_key)

    def update(
        self,
        organization_id: str,
        ledger_id: str,
        *,
        name: str | None = None,
        status: Status | None = None,
        metadata: Metadata | None = None,
        clear: Iterable[str] = (),
        idempotency_key: str | None = None,
    ) -> Any:
        """PATCH the fields given (`metadata` replaced whole; `clear=["metadata"]` empties it)."""
        fields = {"name": name, "status": status, "metadata": metadata}
        return self._update((organization_id, ledger_id), fields, clear, idempotency_key)


class Instruments(_ListedByStatus):
    """`.../ledgers/{ledgerId}/instruments/{instrumentId}` (Midaz's assets). Creating one
    creates its external account, `@external/<code>`."""

    collections = ("organizations", "ledgers", "instruments")

    def create(
        self,
        organization_id: str,
        ledger_id: str,
        name: str,
        type: InstrumentType,
        code: str,
        *,
        scale: int | None = None,
        status: Status | None = None,
        metadata: Metadata | None = None,
        idempotency_key: str | None = None,
    ) -> Any:
        """Create an instrument (201). `code` is unique in the ledger, a currency's its ISO
        4217 code; `scale` (0-18) defaults to a currency's minor units, and the other
        types must give it."""
        fields: dict[str, Any] = {"name": name, "type": type, "code": code, "scale": scale}
        fields |= {"status": status, "metadata": metadata}
        return self._create((organization_id, ledger_id), fields, idempotency_key)

    def update(
        self,
        organization_id: str,
        ledger_id: str,
        instrument_id: str,
        *,
        name: str | None = None,
        status: Status | None = None,
        metadata: Metadata | None = None,
        clear: Iterable[str] = (),
        idempotency_key: str | None = None,
    ) -> Any:
        """PATCH the name, status or metadata (replaced whole); type, code and scale stay."""
        fields = {"name": name, "status": status, "metadata": metadata}
        return self._update((organization_id, ledger_id, instrument_id), fields, clear, idempotency_key)


class Portfolios(_ListedByStatus):
    """`.../ledgers/{ledgerId}/portfolios/{portfolioId}`: groups of accounts, often one
    per customer (`entity_id`, the partner's own id)."""

    collections = ("organizations", "ledgers", "portfolios")

    def create(
        self,
        organization_id: str,
        ledger_id: str,
        name: str,
        *,
        entity_id: str | None = None,
        status: Status | None = None,
        metadata: Metadata | None = None,
        idempotency_key: str | None = None,
    ) -> Any:
        """Create a portfolio (201)."""
        fields = {"name": name, "entity_id": entity_id, "status": status, "metadata": metadata}
        return self._create((organization_id, ledger_id), fields, idempotency_key)

    def update(
        self,
        organization_id: str,
        ledger_id: str,
        portfolio_id: str,
        *,
        name: str | None = None,
        entity_id: str | None = None,
        status: Status | None = None,
        metadata: Metadata | None = None,
        clear: Iterable[str] = (),
        idempotency_key: str | None = None,
    ) -> Any:
        """PATCH the fields given; `clear=["entity_id"]` and `["metadata"]` null them."""
        fields = {"name": name, "entity_id": entity_id, "status": status, "metadata": metadata}
        return self._update((organization_id, ledger_id, portfolio_id), fields, clear, idempotency_key)


class Products(_ListedByStatus):
    """`.../ledgers/{ledgerId}/products/{productId}`: what accounts are sold as."""

    collections = ("organizations", "ledgers", "products")

    def create(
        self,
        organization_id: str,
        ledger_id: str,
        name: str,
        *,
        status: Status | None = None,
        metadata: Metadata | None = None,
        idempotency_key: str | None = None,
    ) -> Any:
        """Create a product (201)."""
        fields = {"name": name, "status": status, "metadata": metadata}
        return self._create((organization_id, ledger_id), fields, idempotency_key)

    def update(
        self,
        organization_id: str,
        ledger_id: str,
        product_id: str,
        *,
        name: str | None = None,
        status: Status | None = None,
        metadata: Metadata | None = None,
        clear: Iterable[str] = (),
        idempotency_key: str | None = None,
    ) -> Any:
        """PATCH the name, status or metadata (replaced whole)."""
        fields = {"name": name, "status": status, "metadata": metadata}
        return self._update((organization_id, ledger_id, product_id), fields, clear, idempotency_key)


class Accounts(Kind):
    """`.../ledgers/{ledgerId}/portfolios/{portfolioId}/accounts/{accountId}`:
    `get(organization_id, ledger_id, portfolio_id, account_id)`, `list(organization_id,
    ledger_id, portfolio_id)`, ...; and across the ledger, external accounts included,
    `.../ledgers/{ledgerId}/accounts[/{accountId}]`: `list_in_ledger`, `get_in_ledger`,
    `find`. `balance` `{available, onHold, scale}` is the server's (minor units)."""

    collections = ("organizations", "ledgers", "portfolios", "accounts")
    in_ledger = ("organizations", "ledgers", "accounts")

    def create(
        self,
        organization_id: str,
        ledger_id: str,
        portfolio_id: str,
        instrument_code: str,
        type: AccountType,
        *,
        name: str | None = None,
        alias: str | None = None,
        entity_id: str | None = None,
        parent_account_id: str | None = None,
        product_id: str | None = None,
        allow_sending: bool | None = None,
        allow_receiving: bool | None = None,
        status: Status | None = None,
        metadata: Metadata | None = None,
        idempotency_key: str | None = None,
    ) -> Any:
        """Open an account in the portfolio (201). `instrument_code` names an instrument of
        the ledger; `alias` is unique in the ledger (409 when taken); a reference that does
        not hold (instrument, parent account, product) is 422 `reference_invalid`."""
        fields = {
            "instrument_code": instrument_code,
            "name": name,
            "alias": alias,
            "type": type,
            "entity_id": entity_id,
            "parent_account_id": parent_account_id,
            "product_id": product_id,
            "allow_sending": allow_sending,
            "allow_receiving": allow_receiving,
            "status": status,
            "metadata": metadata,
        }
        return self._create((organization_id, ledger_id, portfolio_id), fields, idempotency_key)

    def list(
        self,
        organization_id: str,
        ledger_id: str,
        portfolio_id: str,
        *,
        type: AccountType | None = None,
        instrument_code: str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> Any:
        """One page of the portfolio's accounts, newest first: `{"data", "nextCursor"}`."""
        params = {"type": type, "instrumentCode": instrument_code, "limit": limit, "cursor": cursor}
        return self._page(params, self._collection((organization_id, ledger_id, portfolio_id)))

    def iterate(
        self,
        organization_id: str,
        ledger_id: str,
        portfolio_id: str,
        *,
        type: AccountType | None = None,
        instrument_code: str | None = None,
        limit: int | None = None,
    ) -> Iterator[Any]:
        """Every account of the portfolio matching the filters, page after page."""
        params = {"type": type, "instrumentCode": instrument_code, "limit": limit}
        return self._every(params, self._collection((organization_id, ledger_id, portfolio_id)))

    def update(
        self,
        organization_id: str,
        ledger_id: str,
        portfolio_id: str,
        account_id: str,
        *,
        name: str | None = None,
        status: Status | None = None,
        alias: str | None = None,
        entity_id: str | None = None,
        allow_sending: bool | None = None,
        allow_receiving: bool | None = None,
        product_id: str | None = None,
        metadata: Metadata | None = None,
        clear: Iterable[str] = (),
        idempotency_key: str | None = None,
    ) -> Any:
        """PATCH Midaz's editable fields given (`metadata` replaced whole; a new `alias`
        frees the old one); `clear=["alias", "product_id", ...]` nulls name, alias,
        entity_id, product_id or metadata."""
        fields = {
            "name": name,
            "status": status,
            "alias": alias,
            "entity_id": entity_id,
            "allow_sending": allow_sending,
            "allow_receiving": allow_receiving,
            "product_id": product_id,
            "metadata": metadata,
        }
        ids = (organization_id, ledger_id, portfolio_id, account_id)
        return self._update(ids, fields, clear, idempotency_key)

    def list_in_ledger(
        self,
        organization_id: str,
        ledger_id: str,
        *,
        alias: str | None = None,
        type: LedgerAccountType | None = None,
        instrument_code: str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> Any:
        """One page of every account of the ledger, across its portfolios and external
        accounts included, newest first; `alias` (`@external/BRL`) answers at most one."""
        params = {
            "alias": alias,
            "type": type,
            "instrumentCode": instrument_code,
            "limit": limit,
            "cursor": cursor,
        }
        return self._page(params, ledger_path(self.in_ledger, (organization_id, ledger_id)))

    def iterate_in_ledger(
        self,
        organization_id: str,
        ledger_id: str,
        *,
        alias: str | None = None,
        type: LedgerAccountType | None = None,
        instrument_code: str | None = None,
        limit: int | None = None,
    ) -> Iterator[Any]:
        """Every account of the ledger matching the filters, page after page."""
        params = {"alias": alias, "type": type, "instrumentCode": instrument_code, "limit": limit}
        return self._every(params, ledger_path(self.in_ledger, (organization_id, ledger_id)))

    def get_in_ledger(self, organization_id: str, ledger_id: str, account_id: str) -> Any:
        """One account of the ledger by its id, without its portfolio (external ones too)."""
        return self._client.get(ledger_path(self.in_ledger, (organization_id, ledger_id, account_id))).json()

    def find(self, organization_id: str, ledger_id: str, alias: str) -> Any:
        """The ledger's account with this alias (`@external/BRL`), or None."""
        found = self.list_in_ledger(organization_id, ledger_id, alias=alias).get("data") or []
        return found[0] if found else None

    def _operations(self, organization_id: str, ledger_id: str, account_id: str) -> str:
        return ledger_path((*self.in_ledger, "operations"), (organization_id, ledger_id, account_id))

    def statement(
        self,
        organization_id: str,
        ledger_id: str,
        account_id: str,
        *,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> Any:
        """One page of the account's statement, newest first: `{"data": [operation...],
        "nextCursor"}`, each operation `{id, transactionId, type (DEBIT | CREDIT),
        accountId, accountAlias, amount: {asset, value, scale}, description, createdAt}`.
        Any account of the ledger (by its id), external ones included."""
        params = {"limit": limit, "cursor": cursor}
        return self._page(params, self._operations(organization_id, ledger_id, account_id))

    def iterate_statement(
        self, organization_id: str, ledger_id: str, account_id: str, *, limit: int | None = None
    ) -> Iterator[Any]:
        """Every operation of the account, newest first, page after page."""
        return self._every({"limit": limit}, self._operations(organization_id, ledger_id, account_id))


def transfer_body(
    source: str,
    destination: str,
    asset: str,
    value: int,
    scale: int,
    *,
    description: str | None = None,
    code: str | None = None,
    pending: bool = False,
    metadata: Metadata | None = None,
) -> dict[str, Any]:
    """Midaz's JSON of a simple transfer: `value` minor units of `asset` at `scale` (1500 at
    scale 2 is 15.00) from one account to another, each its id or alias."""
    if isinstance(value, bool) or not isinstance(value, int) or not isinstance(scale, int):
        raise TypeError("value and scale are integers (minor units at a scale), never floats")
    money = {"asset": asset, "value": value, "scale": scale}
    body: dict[str, Any] = {"description": description, "code": code}
    body = {name: text for name, text in body.items() if text is not None}
    if pending:
        body["pending"] = True
    if metadata is not None:
        body["metadata"] = dict(metadata)
    body["send"] = {
        **money,
        "source": {"from": [{"account": source, "amount": dict(money)}]},
        "distribute": {"to": [{"account": destination, "amount": dict(money)}]},
    }
    return body


class Transactions(Resource):
    """`.../ledgers/{ledgerId}/transactions/{transactionId}`: Midaz's transactions, double
    entry. `create(organization_id, ledger_id, body)` with Midaz's JSON, `transfer(...)`
    for one source and one destination, `get`, `list`, `iterate`; `commit` / `cancel` a
    pending one, `revert` an approved one (answers the new, reversing transaction)."""

    collections = ("organizations", "ledgers", "transactions")

    def _path(self, organization_id: str, ledger_id: str, *rest: str, action: str | None = None) -> str:
        path = ledger_path(self.collections, (organization_id, ledger_id, *rest))
        return f"{path}/{action}" if action else path

    def create(
        self,
        organization_id: str,
        ledger_id: str,
        body: Mapping[str, Any],
        *,
        idempotency_key: str | None = None,
    ) -> Any:
        """Book a transaction from Midaz's JSON as is (201): `{"description"?, "code"?,
        "pending"?, "metadata"?, "send": {"asset", "value", "scale", "source": {"from":
        [entry...]}, "distribute": {"to": [entry...]}}}`, each entry `{"account": id or
        alias, one of "amount" | "share" | "remaining"}`. Answers it `APPROVED`, or
        `PENDING` with `pending: True`; 422 `amount_mismatch`, `insufficient_funds`,
        `reference_invalid`, `instrument_mismatch`, `account_not_allowed` write nothing."""
        return self._client.post(
            self._path(organization_id, ledger_id), dict(body), idempotency_key=idempotency_key
        ).json()

    def transfer(
        self,
        organization_id: str,
        ledger_id: str,
        source: str,
        destination: str,
        asset: str,
        value: int,
        scale: int,
        *,
        description: str | None = None,
        code: str | None = None,
        pending: bool = False,
        metadata: Metadata | None = None,
        idempotency_key: str | None = None,
    ) -> Any:
        """Move `value` minor units of `asset` at `scale` from `source` to `destination`
        (ids or aliases, `@external/BRL` to bring money in): `create` of `transfer_body`."""
        body = transfer_body(
            source,
            destination,
            asset,
            value,
            scale,
            description=description,
            code=code,
            pending=pending,
            metadata=metadata,
        )
        return self.create(organization_id, ledger_id, body, idempotency_key=idempotency_key)

    def get(self, organization_id: str, ledger_id: str, transaction_id: str) -> Any:
        """One transaction with its operations (and `revertedBy` once reverted)."""
        return self._client.get(self._path(organization_id, ledger_id, transaction_id)).json()

    def list(
        self, organization_id: str, ledger_id: str, *, limit: int | None = None, cursor: str | None = None
    ) -> Any:
        """One page of the ledger's transactions, newest first: `{"data", "nextCursor"}`."""
        return self._page({"limit": limit, "cursor": cursor}, self._path(organization_id, ledger_id))

    def iterate(self, organization_id: str, ledger_id: str, *, limit: int | None = None) -> Iterator[Any]:
        """Every transaction of the ledger, newest first, page after page."""
        return self._every({"limit": limit}, self._path(organization_id, ledger_id))

    def _act(
        self, action: str, organization_id: str, ledger_id: str, transaction_id: str, key: str | None
    ) -> Any:
        path = self._path(organization_id, ledger_id, transaction_id, action=action)
        return self._client.post(path, {}, idempotency_key=key).json()

    def commit(
        self, organization_id: str, ledger_id: str, transaction_id: str, *, idempotency_key: str | None = None
    ) -> Any:
        """Complete a pending transaction (its destinations credited): `APPROVED`. Once; 409
        `state_conflict` when it is not pending."""
        return self._act("commit", organization_id, ledger_id, transaction_id, idempotency_key)

    def cancel(
        self, organization_id: str, ledger_id: str, transaction_id: str, *, idempotency_key: str | None = None
    ) -> Any:
        """Release a pending transaction (the held amounts back to its sources): `CANCELED`.
        Once; 409 `state_conflict` when it is not pending."""
        return self._act("cancel", organization_id, ledger_id, transaction_id, idempotency_key)

    def revert(
        self, organization_id: str, ledger_id: str, transaction_id: str, *, idempotency_key: str | None = None
    ) -> Any:
        """Book the exact reverse of an approved transaction; answers the new, reversing one
        (the original gains `revertedBy`). Once (409 `state_conflict`); 422
        `insufficient_funds` when the money has moved on."""
        return self._act("revert", organization_id, ledger_id, transaction_id, idempotency_key)


class Ledger:
    """`client.ledger`: one group per kind of the hierarchy, and its transactions."""

    def __init__(self, client: PartnerClient) -> None:
        self.organizations = Organizations(client)
        self.ledgers = Ledgers(client)
        self.instruments = Instruments(client)
        self.portfolios = Portfolios(client)
        self.products = Products(client)
        self.accounts = Accounts(client)
        self.transactions = Transactions(client)
