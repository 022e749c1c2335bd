"""The world the hostile-input catalogue attacks: one moto table holding a victim tenant,
an attacker tenant and a control tenant, each seeded through the real handlers by
replaying every create route's sample event, plus the attacker's revoked and narrow keys,
list cursors and the victim's page tokens.

Requests are built as API Gateway (payload 2.0) builds them (`localapi.events`), so a
body that is not UTF-8 arrives base64-encoded, as on AWS, and are signed by the partner
SDK's own code. Built once per module: every case leaves the table as it found it.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import boto3
import pytest
from moto import mock_aws

from core.partners import onboarding as partners
from core.platform import clock, listing, pipeline, scopes
from core.platform.pagination import encode_cursor
from core.platform.routing import compile_path
from core.platform.store import Store
from localapi import webhooks
from localapi.dynamodb import serialise_emulator
from localapi.events import http_api_event
from localapi.template import load_template
from partner_sdk import signing
from tests.integration.conftest import TABLE
from tests.integration.test_customers import callback as kyc_callback
from tests.support.harness import HOST, Partner, Reply
from tests.support.route_targets import ID_VALUE, PAGE, PARTNER, Target, id_kind, of_kind, targets
from tests.support.template_table import create_table

ENVIRONMENT = {
    "TABLE_NAME": TABLE,
    "CURSOR_SECRET": "hostile-cursor-secret-0123456789abcdef0123",
    "KYC_SANDBOX_SECRET": "hostile-kyc-sandbox-secret-0123456789abcdef",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "POWERTOOLS_METRICS_DISABLED": "true",
    "API_KEY_CACHE_SECONDS": "10",
    **webhooks.RESOURCE_ENV,
}


@contextmanager
def moto_table() -> Iterator[Any]:
    """template.yaml's table in moto, the handlers pointed at it, for a whole module."""
    with pytest.MonkeyPatch.context() as patch:
        for name, value in ENVIRONMENT.items():
            patch.setenv(name, value)
        patch.delenv("AWS_ENDPOINT_URL_DYNAMODB", raising=False)
        patch.delenv("PUBLIC_BASE_URL", raising=False)
        serialise_emulator()
        with mock_aws():
            client = boto3.client("dynamodb", region_name="us-east-1")
            create_table(client, TABLE)
            webhooks.create_resources(load_template())
            pipeline.reset_runtime()
            try:
                yield client
            finally:
                pipeline.reset_runtime()
                clock.reset()


def table_items() -> list[dict[str, Any]]:
    """Every item of the table, as moto holds it (DynamoDB JSON, sorted by key).

    Read from the emulator's store rather than with Scan: moto's response serialiser
    takes ~0.5 s per Scan of this table, which would make the catalogue take minutes.
    A test checks that both give the same items."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends

    table = dynamodb_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].get_table(TABLE)
    return [item.to_json()["Attributes"] for item in table.all_items()]


def deliver(
    target: Target,
    raw_path: str,
    query: str,
    headers: dict[str, str],
    body: bytes,
    path_params: dict[str, str] | None = None,
) -> Reply:
    """`target`'s handler called with the event API Gateway would build for this request."""
    event = http_api_event(
        method=target.method,
        raw_path=raw_path,
        raw_query=query,
        headers={name.lower(): value for name, value in headers.items()},
        body=body,
        route_key=target.route_key,
        path_parameters=path_params,
    )
    out = target.handler(event, None)
    return Reply(out["statusCode"], out["headers"], out["body"])


def new_partner(store: Store, name: str, *, scope_list: list[str] | None = None) -> Partner:
    """A tenant with one API key and one Ed25519 signing key, registered by the operator code."""
    tenant = partners.create_partner(store, name, mode="test")
    return issue_key(store, tenant["id"], scope_list=scope_list)


def issue_key(store: Store, tenant_id: str, *, scope_list: list[str] | None = None) -> Partner:
    key, secret = partners.issue_api_key(store, tenant_id, scope_list=scope_list)
    private = signing.generate_private_key("ed25519")
    created = partners.add_signing_key(store, tenant_id, key["keyId"], signing.public_key_pem(private))
    return Partner(tenant_id, secret, key["keyId"], created["id"], private)


@dataclass
class Tenant:
    """A partner and what it owns: one id of each kind (`{"cus": "cus_...", ...}`)."""

    partner: Partner
    ids: dict[str, str] = field(default_factory=dict)
    urls: list[str] = field(default_factory=list)  # links the API handed out (verification pages)

    @property
    def tenant_id(self) -> str:
        return self.partner.tenant_id

    def own(self, value: Any) -> Any:
        """`value` (a sample's JSON) with every id of a kind this tenant owns replaced by its own."""
        if isinstance(value, dict):
            return {k: self.own(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.own(v) for v in value]
        kind = id_kind(value)
        if kind is not None and kind in self.ids:
            return self.ids[kind]
        return value

    def id_of(self, prefix: str, target: Target) -> str:
        if prefix not in self.ids:
            raise AssertionError(
                f"{target} needs a {prefix}_ resource, but no create route's sample made one "
                "and no list showed one"
            )
        return self.ids[prefix]


@dataclass
class Attempt:
    """One request to one route. Signed last, over exactly what is sent; `edit` then
    changes the (lower-case) headers, as an attacker would after signing."""

    target: Target
    signer: Partner | None  # whose API key is sent; None sends none
    path_params: dict[str, str]
    query: str
    body: bytes
    idempotency_key: str | None = None
    sign: bool = True
    scheme: str = "rfc9421"
    signature_by: Partner | None = None  # whose signing key signs (default: the signer's)
    edit: Callable[[dict[str, str]], None] | None = None
    content_type: str | None = "application/json"


class World:
    def __init__(self, client: Any) -> None:
        self.client = client
        self.store = pipeline.runtime()[1]
        self.victim = Tenant(new_partner(self.store, "Victim"))
        self.attacker = Tenant(new_partner(self.store, "Attacker"))
        self.control = Tenant(new_partner(self.store, "Control"))
        for tenant in (self.victim, self.attacker, self.control):
            tenant.ids["ptn"] = tenant.tenant_id
            self._seed(tenant)
        # A key of the attacker's, revoked before it was ever used (so no container caches it).
        self.revoked = issue_key(self.store, self.attacker.tenant_id)
        partners.revoke_api_key(self.store, self.attacker.tenant_id, self.revoked.api_key_id)
        self._narrow: dict[str, Partner] = {}
        # (tenant, list route) -> a cursor the API would hand that tenant for that list.
        self.cursors: dict[tuple[str, str], str] = {}
        for tenant in (self.victim, self.attacker):
            self._mint_cursors(tenant)
        # Page path parameters (a session token) taken from the links the victim was given.
        self.tokens = self.page_credentials(self.victim)

    # -- requests ---------------------------------------------------------------------

    def valid(self, target: Target, tenant: Tenant) -> Attempt:
        """The route's sample as a valid request of `tenant` about its own resources."""
        sample_params = target.sample_path_params()
        params = dict(sample_params)
        for name, prefix in target.path_ids.items():
            params[name] = tenant.id_of(prefix, target)
        if target.kind == PAGE:
            params.update({k: v for k, v in self.tokens.items() if k in params})
        query = target.sample_query()
        if query:
            pairs = [(k, tenant.own(v)) for k, v in parse_qsl(query, keep_blank_values=True)]
            query = urlencode(pairs)
        body = target.sample_body()
        sample = target.sample_json()
        if sample is not None:
            body = json.dumps(tenant.own(sample)).encode()
        content_type = target.sample()["headers"].get("content-type", "application/json")
        return Attempt(
            target,
            tenant.partner if target.kind == PARTNER else None,
            params,
            query,
            body,
            idempotency_key=str(uuid.uuid4()) if target.is_write and target.kind == PARTNER else None,
            content_type=content_type,
        )

    def send(self, attempt: Attempt) -> Reply:
        target = attempt.target
        raw_path = target.render_path(attempt.path_params)
        headers: dict[str, str] = {"host": HOST, "x-forwarded-proto": "https"}
        if attempt.content_type and attempt.body:
            headers["content-type"] = attempt.content_type
        if attempt.signer is not None:
            if attempt.sign:
                by = attempt.signature_by or attempt.signer
                signed = by.headers(
                    target.method, raw_path, attempt.query, attempt.body, scheme=attempt.scheme
                )
                signed["Authorization"] = f"Bearer {attempt.signer.api_key}"
                headers.update({k.lower(): v for k, v in signed.items()})
            else:
                headers["authorization"] = f"Bearer {attempt.signer.api_key}"
        if attempt.idempotency_key is not None:
            headers["idempotency-key"] = attempt.idempotency_key
        if attempt.edit is not None:
            attempt.edit(headers)
        return deliver(target, raw_path, attempt.query, headers, attempt.body, attempt.path_params)

    def snapshot(self) -> list[dict[str, Any]]:
        return table_items()

    # -- keys ---------------------------------------------------------------------------

    def without_scope(self, scope: str) -> Partner:
        """An attacker's key holding one scope, not `scope`."""
        granted = next(s for s in scopes.SCOPES if s != scope)
        if granted not in self._narrow:
            self._narrow[granted] = issue_key(self.store, self.attacker.tenant_id, scope_list=[granted])
        return self._narrow[granted]

    # -- building the world ---------------------------------------------------------------

    def _seed(self, tenant: Tenant) -> None:
        """Every create route's sample, as `tenant`; then every list, for ids made on the side
        (events). A sample goes once the resources it names (in its path or its body) are
        made, when a create makes them."""
        pending = sorted(
            (t for t in targets() if t.is_create and t.has_sample()),
            key=lambda t: (len(t.path_ids), _id_count(t.sample_json())),
        )
        while pending:
            ready = [t for t in pending if _named_kinds(t) <= set(tenant.ids)]
            target = (ready or pending)[0]
            pending.remove(target)
            reply = self.send(self.valid(target, tenant))
            assert reply.status in (200, 201), f"seeding {target} as {tenant.tenant_id}: {reply.text}"
            created = reply.json
            found = ID_VALUE.fullmatch(str(created.get("id", "")))
            # A UUID (the ledger's) is kept under its object's kind, as `id_prefix` names it.
            kind = found.group(1) if found is not None else created.get("object")
            assert kind is not None, f"{target} answered no id: {reply.text}"
            tenant.ids.setdefault(kind, created["id"])
            tenant.urls.extend(_urls(created))
            if created.get("object") == "customer":
                # Approved, as accounts open for active customers only.
                assert kyc_callback(tenant.tenant_id, created["id"]).status == 200
        for target in of_kind(PARTNER):
            if target.is_list and target.has_sample():
                attempt = self.valid(target, tenant)
                attempt.query = ""
                reply = self.send(attempt)
                assert reply.status == 200, f"listing {target} as {tenant.tenant_id}: {reply.text}"
                for item in reply.json["data"]:
                    found = ID_VALUE.fullmatch(str(item.get("id", "")))
                    if found is not None:
                        tenant.ids.setdefault(found.group(1), item["id"])
        # A webhook delivery exists once an event is sent: redeliver one to the endpoint.
        (redeliver,) = [t for t in targets() if t.route_key == "POST /v1/events/{eventId}/redeliver"]
        reply = self.send(self.valid(redeliver, tenant))
        assert reply.status == 202, f"seeding {redeliver} as {tenant.tenant_id}: {reply.text}"
        tenant.ids.setdefault("dlv", reply.json["id"])

    def _mint_cursors(self, tenant: Tenant) -> None:
        """For every list, the cursor the API would hand `tenant` after its newest item.

        Each tenant owns one item per list, too few for a real next page, so the cursor
        is made with the secret, tenant, collection and key attributes the server itself
        uses, read while the list is served (a test checks that the list accepts it)."""
        secret = pipeline.runtime()[0].cursor_secret
        for target in of_kind(PARTNER):
            if target.is_list and target.has_sample():
                # A list longer than one row (a catalogue every tenant reads, such as the
                # supported banks) hands out a real cursor: that one is taken.
                attempt = self.valid(target, tenant)
                attempt.query = "limit=1"
                given = self.send(attempt).json.get("nextCursor")
                if given:
                    self.cursors[(tenant.tenant_id, target.route_key)] = given
                    continue
                collection, index, first = self._rows_listed(target, tenant)[0]
                # A list over the table itself (index None) positions by the table's key alone.
                names = ("PK", "SK", *((f"{index}PK", f"{index}SK") if index else ()))
                position = {name: first[name] for name in names}
                self.cursors[(tenant.tenant_id, target.route_key)] = encode_cursor(
                    secret, tenant.tenant_id, collection, position
                )

    def _rows_listed(self, target: Target, tenant: Tenant) -> list[tuple[str, str, dict[str, Any]]]:
        """(collection, index, stored item) of each row `target` lists for `tenant`, read
        through its handler while `core.platform.listing.page` is watched."""
        original = listing.page
        seen: list[tuple[str, str, dict[str, Any]]] = []

        def watched(*args: Any, **kwargs: Any) -> dict[str, Any]:
            render = kwargs["render"]
            index = kwargs.get("index", listing.keys.GSI1)

            def remember(row: dict[str, Any]) -> dict[str, Any]:
                seen.append((kwargs["collection"], index, row))
                return render(row)  # type: ignore[no-any-return]

            return original(*args, **{**kwargs, "render": remember})

        attempt = self.valid(target, tenant)
        attempt.query = ""
        listing.page = watched  # type: ignore[assignment]
        try:
            reply = self.send(attempt)
        finally:
            listing.page = original  # type: ignore[assignment]
        assert reply.status == 200 and seen, f"{target} lists nothing through core.platform.listing.page"
        return seen

    def page_credentials(self, tenant: Tenant) -> dict[str, str]:
        """Path parameters of the page routes, read from the links the API gave `tenant`."""
        found: dict[str, str] = {}
        for target in of_kind(PAGE):
            pattern = compile_path(target.path)
            for url in tenant.urls:
                match = pattern.fullmatch(urlsplit(url).path)
                if match is not None:
                    found.update(match.groupdict())
        return found


def _kinds_named(value: Any) -> list[str]:
    """The kind (prefix, or UUID kind) of every id in a sample's JSON, repeats kept."""
    if isinstance(value, dict):
        return [k for v in value.values() for k in _kinds_named(v)]
    if isinstance(value, list):
        return [k for v in value for k in _kinds_named(v)]
    kind = id_kind(value)
    return [kind] if kind is not None else []


def _named_kinds(target: Target) -> set[str]:
    """The kinds of resource a create's sample names: its path's and its body's ids."""
    return set(target.path_ids.values()) | set(_kinds_named(target.sample_json()))


def _id_count(value: Any) -> int:
    return len(_kinds_named(value))


def _urls(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [u for v in value.values() for u in _urls(v)]
    if isinstance(value, list):
        return [u for v in value for u in _urls(v)]
    return [value] if isinstance(value, str) and value.startswith(("https://", "http://")) else []
