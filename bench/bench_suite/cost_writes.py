"""The write endpoints that bench_suite.cost does not measure with a case of its own: one
case per route, each preparing what its request needs with uncounted requests through
the same handlers (a customer to deactivate, a pending transaction to commit, an empty
ledger to delete), then sending the counted one. Bodies are the sample events' (events/)
unless a case must vary a unique field. `every_write_route_is_measured` (the smoke test)
checks that every partner write route of template.yaml has a case here or in cost.py.
"""

from __future__ import annotations

import json
import secrets
import time
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bench_suite.cost import RequestType, Sample, _Harness

# The routes cost.py measures with its own cases.
MEASURED_IN_COST = frozenset(
    {
        "POST /v1/customers",
        "POST /v1/bank-accounts",
        "POST /v1/signing-keys",
        "DELETE /v1/signing-keys/{keyId}",
        "POST /v1/accounts",
        "POST /v1/accounts/{accountId}/account-numbers",
        "POST /v1/accounts/{accountId}/blockchain-addresses",
        "POST /v1/organizations/{organizationId}/ledgers/{ledgerId}/transactions",
    }
)
# Not a partner's endpoint: the sandbox KYC provider's own page posts it (a session token
# in the path, no API key); in production the provider is a third party.
# And the seed's spelling of an account's path (`/portfolio/`), the same function as the
# `/portfolios/` route measured below.
NOT_MEASURED = frozenset(
    {
        "POST /sandbox/kyc/{session}/decision",
        "DELETE /v1/organizations/{organizationId}/ledgers/{ledgerId}/portfolio/{portfolioId}"
        "/accounts/{accountId}",
    }
)

ORG = "/v1/organizations/{organizationId}"
LEDGER = ORG + "/ledgers/{ledgerId}"


def _ids() -> dict[str, str]:
    from core.ledger.hierarchy import EXAMPLE_IDS

    return dict(EXAMPLE_IDS)


def _sample_body(name: str) -> dict[str, Any]:
    from localapi.events import load_event

    return dict(json.loads(load_event(name).get("body") or "{}"))


class _Cases:
    """Each method prepares and sends request `i` of one route; `cases()` lists them."""

    def __init__(self, h: Any) -> None:  # a _Harness (None: only to list the routes)
        self.h = h
        ids = _ids()
        self.org, self.ledger = ids["organization"], ids["ledger"]
        self.portfolio, self.product = ids["portfolio"], ids["product"]
        self.instrument, self.account = ids["instrument"], ids["ledger_account"]
        self.under_ledger = {"organizationId": self.org, "ledgerId": self.ledger}

    # -- helpers ---------------------------------------------------------------------

    def make(self, route_key: str, params: dict[str, str] | None = None, body: Any = None) -> dict[str, Any]:
        """An uncounted write through the handler; its JSON answer."""
        sample = self.h.send(route_key, params=params, body=body, idempotency_key=str(uuid.uuid4()))
        answer: dict[str, Any] = json.loads(sample.answer or "{}")
        return answer

    def write(self, route_key: str, params: dict[str, str] | None = None, body: Any = None) -> Sample:
        return self.h.send(
            route_key, params=params, body=body if body is not None else {}, idempotency_key=str(uuid.uuid4())
        )

    def customer(self, **fields: Any) -> str:
        body = {"type": "individual", "name": "Grace Hopper", "email": "grace@example.com", "country": "US"}
        body["externalId"] = f"crm-{uuid.uuid4().hex[:12]}"
        return str(self.make("POST /v1/customers", body={**body, **fields})["id"])

    def ledger_of_own(self) -> str:
        made = self.make(f"POST {ORG}/ledgers", {"organizationId": self.org}, {"name": "Bench ledger"})
        return str(made["id"])

    # -- customers ------------------------------------------------------------------

    def challenge(self, i: int) -> Sample:
        customer = self.customer(onchainId=f"eip155:1:0x{secrets.token_hex(20)}")
        return self.write("POST /v1/customers/{customerId}/challenge", {"customerId": customer})

    def verify(self, i: int) -> Sample:
        from eth_account import Account

        from partner_sdk.ethereum import sign_challenge

        wallet = Account.create()
        customer = self.customer(onchainId=f"eip155:1:{wallet.address}")
        answer = self.make("POST /v1/customers/{customerId}/challenge", {"customerId": customer}, {})
        signature = sign_challenge(answer["challenge"]["message"], wallet.key.hex())
        return self.write(
            "POST /v1/customers/{customerId}/challenge/verify",
            {"customerId": customer},
            {"signature": signature},
        )

    def approved(self) -> str:
        """A customer whose KYC the sandbox provider approved (active)."""
        customer = self.customer()
        self.approve(customer)
        return customer

    def deactivate(self, i: int) -> Sample:
        return self.write("PATCH /v1/customers/{customerId}/deactivate", {"customerId": self.approved()})

    def activate(self, i: int) -> Sample:
        customer = self.approved()
        self.make("PATCH /v1/customers/{customerId}/deactivate", {"customerId": customer}, {})
        return self.write("PATCH /v1/customers/{customerId}/activate", {"customerId": customer})

    def kyc_callback(self, i: int) -> Sample:
        return self.approve(self.customer())

    def approve(self, customer: str) -> Sample:
        from core.customers import kyc

        now = time.time()
        body = kyc.callback_body(
            event_id=f"kyce_{uuid.uuid4().hex}",
            tenant_id=self.h.tenant_id,
            customer_id=customer,
            decision="approved",
            reason=None,
            occurred_at=now,
        )
        headers = {
            "content-type": "application/json",
            kyc.SIGNATURE_HEADER.lower(): kyc.sign_callback(body, int(now)),
        }
        return self.h.send_unsigned(
            "POST /v1/kyc/callbacks/{provider}", {"provider": "sandbox"}, body, headers
        )

    # -- ingestion ------------------------------------------------------------------

    def bank_account_clients(self, i: int) -> Sample:
        from bench_suite.cost import _bank_account
        from localapi.samples import SAMPLE_CUSTOMER

        account = self.make("POST /v1/bank-accounts", body=_bank_account(f"ref-{uuid.uuid4().hex}", "EUR"))
        return self.write(
            "POST /v1/bank-accounts/{bankAccountId}/clients",
            {"bankAccountId": account["id"]},
            {"associatedClients": [SAMPLE_CUSTOMER]},
        )

    def wallet_body(self) -> dict[str, Any]:
        body = _sample_body("blockchain_wallets_create")
        return {**body, "address": f"0x{secrets.token_hex(20)}", "referenceId": f"wallet-{uuid.uuid4().hex}"}

    def wallet(self, i: int) -> Sample:
        return self.write("POST /v1/blockchain-wallets", body=self.wallet_body())

    def wallet_clients(self, i: int) -> Sample:
        from localapi.samples import SAMPLE_CUSTOMER

        wallet = self.make("POST /v1/blockchain-wallets", body=self.wallet_body())
        return self.write(
            "POST /v1/blockchain-wallets/{blockchainWalletId}/clients",
            {"blockchainWalletId": wallet["id"]},
            {"associatedClients": [SAMPLE_CUSTOMER]},
        )

    # -- customer accounts and bank information -------------------------------------

    def account_update(self, i: int) -> Sample:
        from localapi.samples import SAMPLE_FIAT_ACCOUNT

        body = _sample_body("accounts_update")
        return self.write("PATCH /v1/accounts/{accountId}", {"accountId": SAMPLE_FIAT_ACCOUNT}, body)

    def account_close(self, i: int) -> Sample:
        from localapi.samples import SAMPLE_CUSTOMER

        opened = self.make(
            "POST /v1/accounts",
            body={
                "customerId": SAMPLE_CUSTOMER,
                "type": "demand_deposit",
                "currency": "EUR",
                "label": "To close",
            },
        )
        return self.write("POST /v1/accounts/{accountId}/close", {"accountId": opened["id"]})

    def bank_information(self, i: int) -> Sample:
        from clabe import compute_control_digit

        body = _sample_body("bank_information_create")
        stem = body["clabe"][:6] + f"{uuid.uuid4().int % 10**11:011d}"
        body["clabe"] = stem + str(compute_control_digit(stem))
        body["accountNumber"] = f"{uuid.uuid4().int % 10**10:010d}"
        return self.write("POST /v1/bank-information", body=body)

    # -- the ledger's hierarchy -----------------------------------------------------

    def org_create(self, i: int) -> Sample:
        return self.write("POST /v1/organizations", body=_sample_body("organizations_create"))

    def org_update(self, i: int) -> Sample:
        return self.write(f"PATCH {ORG}", {"organizationId": self.org}, {"legalName": f"Sample Org {i}"})

    def org_delete(self, i: int) -> Sample:
        made = self.make("POST /v1/organizations", body=_sample_body("organizations_create"))
        return self.write(f"DELETE {ORG}", {"organizationId": made["id"]})

    def ledger_create(self, i: int) -> Sample:
        return self.write(f"POST {ORG}/ledgers", {"organizationId": self.org}, _sample_body("ledgers_create"))

    def ledger_update(self, i: int) -> Sample:
        return self.write(f"PATCH {LEDGER}", self.under_ledger, {"name": f"Sample ledger {i}"})

    def ledger_delete(self, i: int) -> Sample:
        ledger = self.ledger_of_own()
        return self.write(f"DELETE {LEDGER}", {"organizationId": self.org, "ledgerId": ledger})

    def instrument_create(self, i: int) -> Sample:
        params = {"organizationId": self.org, "ledgerId": self.ledger_of_own()}
        return self.write(f"POST {LEDGER}/instruments", params, _sample_body("instruments_create"))

    def instrument_update(self, i: int) -> Sample:
        params = {**self.under_ledger, "instrumentId": self.instrument}
        return self.write(f"PATCH {LEDGER}/instruments/{{instrumentId}}", params, {"name": f"Euro {i}"})

    def instrument_delete(self, i: int) -> Sample:
        params = {"organizationId": self.org, "ledgerId": self.ledger_of_own()}
        made = self.make(f"POST {LEDGER}/instruments", params, _sample_body("instruments_create"))
        return self.write(
            f"DELETE {LEDGER}/instruments/{{instrumentId}}", {**params, "instrumentId": made["id"]}
        )

    def level(self, plural: str, singular: str, event: str) -> tuple[Callable[[int], Sample], ...]:
        """Create, update and delete of a portfolio or a product."""
        path = f"{LEDGER}/{plural}"
        item = f"{path}/{{{singular}Id}}"
        existing = self.portfolio if singular == "portfolio" else self.product

        def create(i: int) -> Sample:
            return self.write(f"POST {path}", self.under_ledger, _sample_body(f"{event}_create"))

        def update(i: int) -> Sample:
            return self.write(
                f"PATCH {item}", {**self.under_ledger, f"{singular}Id": existing}, {"name": f"N {i}"}
            )

        def delete(i: int) -> Sample:
            made = self.make(f"POST {path}", self.under_ledger, _sample_body(f"{event}_create"))
            return self.write(f"DELETE {item}", {**self.under_ledger, f"{singular}Id": made["id"]})

        return create, update, delete

    ACCOUNTS = LEDGER + "/portfolios/{portfolioId}/accounts"

    def account_body(self) -> dict[str, Any]:
        body = _sample_body("ledger_accounts_create")
        return {**body, "alias": f"bench-{uuid.uuid4().hex[:12]}"}

    def ledger_account_create(self, i: int) -> Sample:
        params = {**self.under_ledger, "portfolioId": self.portfolio}
        return self.write(f"POST {self.ACCOUNTS}", params, self.account_body())

    def ledger_account_update(self, i: int) -> Sample:
        params = {**self.under_ledger, "portfolioId": self.portfolio, "accountId": self.account}
        return self.write(f"PATCH {self.ACCOUNTS}/{{accountId}}", params, {"name": f"Sample account {i}"})

    def ledger_account_delete(self, i: int) -> Sample:
        params = {**self.under_ledger, "portfolioId": self.portfolio}
        made = self.make(f"POST {self.ACCOUNTS}", params, self.account_body())
        return self.write(f"DELETE {self.ACCOUNTS}/{{accountId}}", {**params, "accountId": made["id"]})

    def held(self, action: str) -> Callable[[int], Sample]:
        """Commit or cancel a pending transaction made first (a hold)."""
        from localapi.samples import sample_transaction

        def run(i: int) -> Sample:
            params, body = sample_transaction()
            made = self.make(f"POST {LEDGER}/transactions", params, {**body, "pending": True})
            return self.write(
                f"POST {LEDGER}/transactions/{{transactionId}}/{action}",
                {**params, "transactionId": made["id"]},
            )

        return run

    def revert(self, i: int) -> Sample:
        from localapi.samples import sample_transaction

        params, body = sample_transaction()
        made = self.make(f"POST {LEDGER}/transactions", params, body)
        return self.write(
            f"POST {LEDGER}/transactions/{{transactionId}}/revert", {**params, "transactionId": made["id"]}
        )

    # -- webhooks -------------------------------------------------------------------

    def endpoint(self) -> str:
        return str(
            self.make("POST /v1/webhook-endpoints", body=_sample_body("webhook_endpoints_create"))["id"]
        )

    def drop(self, endpoint_id: str) -> None:
        self.make("DELETE /v1/webhook-endpoints/{endpointId}", {"endpointId": endpoint_id})

    def endpoint_create(self, i: int) -> Sample:  # then deleted, uncounted (a tenant has a few at most)
        sample = self.write("POST /v1/webhook-endpoints", body=_sample_body("webhook_endpoints_create"))
        self.drop(json.loads(sample.answer)["id"])
        return sample

    def endpoint_update(self, i: int) -> Sample:
        endpoint = self.endpoint()
        sample = self.write(
            "PATCH /v1/webhook-endpoints/{endpointId}", {"endpointId": endpoint}, {"status": "disabled"}
        )
        self.drop(endpoint)
        return sample

    def endpoint_delete(self, i: int) -> Sample:
        return self.write("DELETE /v1/webhook-endpoints/{endpointId}", {"endpointId": self.endpoint()})

    def rotate(self, i: int) -> Sample:
        endpoint = self.endpoint()
        sample = self.write("POST /v1/webhook-endpoints/{endpointId}/rotate-secret", {"endpointId": endpoint})
        self.drop(endpoint)
        return sample

    def redeliver(self, i: int) -> Sample:
        endpoint = self.endpoint()
        self.customer()  # an event the endpoint subscribes to (customer.created)
        listed = json.loads(self.h.send("GET /v1/events", query="limit=1").answer)
        sample = self.write(
            "POST /v1/events/{eventId}/redeliver",
            {"eventId": listed["data"][0]["id"]},
            {"endpointId": endpoint},
        )
        self.drop(endpoint)
        return sample

    def cases(self) -> list[tuple[str, str, Callable[[int], Sample]]]:
        portfolio = self.level("portfolios", "portfolio", "portfolios")
        product = self.level("products", "product", "products")
        return [
            ("new SIWE challenge", "POST /v1/customers/{customerId}/challenge", self.challenge),
            ("verify SIWE challenge", "POST /v1/customers/{customerId}/challenge/verify", self.verify),
            ("deactivate customer", "PATCH /v1/customers/{customerId}/deactivate", self.deactivate),
            ("activate customer", "PATCH /v1/customers/{customerId}/activate", self.activate),
            ("KYC callback (provider-signed)", "POST /v1/kyc/callbacks/{provider}", self.kyc_callback),
            (
                "add bank account clients",
                "POST /v1/bank-accounts/{bankAccountId}/clients",
                self.bank_account_clients,
            ),
            ("create blockchain wallet", "POST /v1/blockchain-wallets", self.wallet),
            (
                "add wallet clients",
                "POST /v1/blockchain-wallets/{blockchainWalletId}/clients",
                self.wallet_clients,
            ),
            ("update account", "PATCH /v1/accounts/{accountId}", self.account_update),
            ("close account", "POST /v1/accounts/{accountId}/close", self.account_close),
            ("create bank information", "POST /v1/bank-information", self.bank_information),
            ("create organization", "POST /v1/organizations", self.org_create),
            ("update organization", f"PATCH {ORG}", self.org_update),
            ("delete organization", f"DELETE {ORG}", self.org_delete),
            ("create ledger", f"POST {ORG}/ledgers", self.ledger_create),
            ("update ledger", f"PATCH {LEDGER}", self.ledger_update),
            ("delete ledger", f"DELETE {LEDGER}", self.ledger_delete),
            ("create instrument (16 shards)", f"POST {LEDGER}/instruments", self.instrument_create),
            ("update instrument", f"PATCH {LEDGER}/instruments/{{instrumentId}}", self.instrument_update),
            ("delete instrument", f"DELETE {LEDGER}/instruments/{{instrumentId}}", self.instrument_delete),
            ("create portfolio", f"POST {LEDGER}/portfolios", portfolio[0]),
            ("update portfolio", f"PATCH {LEDGER}/portfolios/{{portfolioId}}", portfolio[1]),
            ("delete portfolio", f"DELETE {LEDGER}/portfolios/{{portfolioId}}", portfolio[2]),
            ("create product", f"POST {LEDGER}/products", product[0]),
            ("update product", f"PATCH {LEDGER}/products/{{productId}}", product[1]),
            ("delete product", f"DELETE {LEDGER}/products/{{productId}}", product[2]),
            ("create ledger account", f"POST {self.ACCOUNTS}", self.ledger_account_create),
            ("update ledger account", f"PATCH {self.ACCOUNTS}/{{accountId}}", self.ledger_account_update),
            ("delete ledger account", f"DELETE {self.ACCOUNTS}/{{accountId}}", self.ledger_account_delete),
            (
                "commit a held transaction",
                f"POST {LEDGER}/transactions/{{transactionId}}/commit",
                self.held("commit"),
            ),
            (
                "cancel a held transaction",
                f"POST {LEDGER}/transactions/{{transactionId}}/cancel",
                self.held("cancel"),
            ),
            ("revert a transaction", f"POST {LEDGER}/transactions/{{transactionId}}/revert", self.revert),
            ("create webhook endpoint", "POST /v1/webhook-endpoints", self.endpoint_create),
            ("update webhook endpoint", "PATCH /v1/webhook-endpoints/{endpointId}", self.endpoint_update),
            ("delete webhook endpoint", "DELETE /v1/webhook-endpoints/{endpointId}", self.endpoint_delete),
            ("rotate webhook secret", "POST /v1/webhook-endpoints/{endpointId}/rotate-secret", self.rotate),
            ("redeliver an event", "POST /v1/events/{eventId}/redeliver", self.redeliver),
        ]


def every_write(h: _Harness, n: int) -> list[RequestType]:
    """The cases above, `n` counted requests each (after one uncounted)."""
    return [h.measure(name, "write", route_key, request, n) for name, route_key, request in _Cases(h).cases()]


def routes_measured() -> set[str]:
    """Every route the cost section measures, or says why it does not."""
    return set(MEASURED_IN_COST | NOT_MEASURED) | {route_key for _, route_key, _ in _Cases(None).cases()}
