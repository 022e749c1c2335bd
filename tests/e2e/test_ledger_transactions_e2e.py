"""Ledger transactions over real HTTP against the local API, with the project's signing
client: an organization, its ledger, a BRL instrument, a portfolio and two accounts; 15.00
BRL deposited from `@external/BRL` into A (an amount and `remaining`), replayed by its
idempotency key without moving twice; 5.00 moved from A to B (`transfer`); a pending
transaction split by shares, committed; another pending, canceled; the transfer reverted;
refusals that write nothing; A's statement newest first; the balances summing to zero.
And `partner ledger transactions create` from a file of Midaz's JSON, then `partner ledger
statement` of the account within 80 columns."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from partner_sdk.client import PartnerClient
from partner_sdk.credentials import credentials_from_file
from partner_sdk.errors import InvalidRequestError
from tests.e2e.test_customers_e2e import unique
from tests.e2e.test_ingest_e2e import environment, partner
from tests.e2e.test_ledger_e2e import ADDRESS, is_uuid

pytestmark = pytest.mark.e2e


@pytest.fixture
def api(local_api: tuple[str, Path]) -> Iterator[PartnerClient]:
    with PartnerClient(credentials_from_file(local_api[1])) as client:
        yield client


class Books:
    """An organization, its ledger with BRL, a portfolio and two accounts, A (with an alias) and B."""

    def __init__(self, api: PartnerClient) -> None:
        ledger = api.ledger
        self.api = api
        org = ledger.organizations.create("Acme Pagamentos Ltda", unique("cnpj"), ADDRESS)
        book = ledger.ledgers.create(org["id"], "Operations")
        self.ids = (org["id"], book["id"])
        ledger.instruments.create(*self.ids, "Brazilian real", "currency", "BRL")
        portfolio = ledger.portfolios.create(*self.ids, "Ana")
        self.alias_a = unique("ana")
        self.a = ledger.accounts.create(*self.ids, portfolio["id"], "BRL", "deposit", alias=self.alias_a)[
            "id"
        ]
        self.b = ledger.accounts.create(*self.ids, portfolio["id"], "BRL", "savings")["id"]
        external = ledger.accounts.find(*self.ids, "@external/BRL")
        assert external is not None
        self.external = external["id"]

    def balance(self, account_id: str) -> tuple[int, int]:
        """(available, onHold) in centavos."""
        found = self.api.ledger.accounts.get_in_ledger(*self.ids, account_id)["balance"]
        assert found["scale"] == 2
        return found["available"], found["onHold"]

    def balances(self) -> dict[str, tuple[int, int]]:
        return {name: self.balance(getattr(self, name)) for name in ("a", "b", "external")}


def brl(value: int) -> dict[str, Any]:
    return {"asset": "BRL", "value": value, "scale": 2}


def moves(transaction: dict[str, Any]) -> list[tuple[str, str, int]]:
    """(type, account id, value) of each operation, in order."""
    return [(op["type"], op["accountId"], op["amount"]["value"]) for op in transaction["operations"]]


def refused(call: Callable[[], Any]) -> tuple[int, str | None]:
    with pytest.raises(InvalidRequestError) as error:
        call()
    return error.value.status, error.value.code


def test_deposit_transfer_pending_commit_cancel_revert_and_the_statement(api: PartnerClient) -> None:
    answered: list[int] = []
    api.http.event_hooks["response"].append(lambda response: answered.append(response.status_code))
    books = Books(api)
    o, b = ids = books.ids
    transactions = api.ledger.transactions

    # 15.00 BRL into A from the external account: an amount on the source, `remaining` on A.
    deposit_body = {
        "description": "Deposit",
        "code": "DEP1",
        "metadata": {"channel": "pix"},
        "send": {
            **brl(1500),
            "source": {"from": [{"account": "@external/BRL", "amount": brl(1500)}]},
            "distribute": {"to": [{"account": books.alias_a, "remaining": "remaining"}]},
        },
    }
    deposit = transactions.create(o, b, deposit_body, idempotency_key=unique("deposit"))
    assert answered[-1] == 201 and is_uuid(deposit["id"]) and deposit["object"] == "transaction"
    assert (deposit["organizationId"], deposit["ledgerId"], deposit["status"]) == (o, b, "APPROVED")
    assert (deposit["description"], deposit["code"], deposit["pending"]) == ("Deposit", "DEP1", False)
    assert (deposit["metadata"], deposit["revertedBy"]) == ({"channel": "pix"}, None)
    assert deposit["send"] == deposit_body["send"]
    assert moves(deposit) == [("DEBIT", books.external, 1500), ("CREDIT", books.a, 1500)]
    assert [op["accountAlias"] for op in deposit["operations"]] == ["@external/BRL", books.alias_a]
    assert all(
        op["transactionId"] == deposit["id"] and op["object"] == "operation" for op in deposit["operations"]
    )
    assert transactions.get(o, b, deposit["id"]) == deposit
    assert books.balances() == {"a": (1500, 0), "b": (0, 0), "external": (-1500, 0)}

    # The same idempotency key replays the answer: the money moves once.
    key = unique("replay")
    once = transactions.transfer(
        o, b, books.a, books.b, "BRL", 500, 2, description="Rent", idempotency_key=key
    )
    again = transactions.transfer(
        o, b, books.a, books.b, "BRL", 500, 2, description="Rent", idempotency_key=key
    )
    assert again == once and once["status"] == "APPROVED"
    assert moves(once) == [("DEBIT", books.a, 500), ("CREDIT", books.b, 500)]
    assert books.balances() == {"a": (1000, 0), "b": (500, 0), "external": (-1500, 0)}

    # Pending: 4.00 from A held, split 50/50 between B and the external account; then committed.
    split = {
        **brl(400),
        "source": {"from": [{"account": books.a, "amount": brl(400)}]},
        "distribute": {
            "to": [
                {"account": books.b, "share": {"percentage": 50}},
                {"account": "@external/BRL", "share": {"percentage": 50}, "description": "fee"},
            ]
        },
    }
    held = transactions.create(o, b, {"pending": True, "send": split})
    assert (held["status"], held["pending"]) == ("PENDING", True)
    assert moves(held) == [("DEBIT", books.a, 400), ("CREDIT", books.b, 200), ("CREDIT", books.external, 200)]
    assert books.balances() == {"a": (600, 400), "b": (500, 0), "external": (-1500, 0)}
    committed = transactions.commit(o, b, held["id"])
    assert answered[-1] == 200
    assert (committed["id"], committed["status"]) == (held["id"], "APPROVED")
    assert transactions.get(o, b, held["id"])["status"] == "APPROVED"
    assert books.balances() == {"a": (600, 0), "b": (700, 0), "external": (-1300, 0)}
    assert refused(lambda: transactions.commit(o, b, held["id"])) == (409, "state_conflict")
    assert refused(lambda: transactions.cancel(o, b, held["id"])) == (409, "state_conflict")

    # Another pending one, canceled: the hold goes back to A.
    hold = transactions.transfer(o, b, books.a, books.b, "BRL", 100, 2, pending=True)
    assert hold["status"] == "PENDING"
    assert books.balance(books.a) == (500, 100)
    canceled = transactions.cancel(o, b, hold["id"])
    assert answered[-1] == 200 and (canceled["id"], canceled["status"]) == (hold["id"], "CANCELED")
    assert books.balances() == {"a": (600, 0), "b": (700, 0), "external": (-1300, 0)}
    assert refused(lambda: transactions.commit(o, b, hold["id"])) == (409, "state_conflict")
    assert refused(lambda: transactions.revert(o, b, hold["id"])) == (409, "state_conflict")

    # Revert the 5.00 transfer: a new transaction, its exact reverse; once.
    reversal = transactions.revert(o, b, once["id"])
    assert answered[-1] == 200
    assert is_uuid(reversal["id"]) and reversal["id"] != once["id"] and reversal["status"] == "APPROVED"
    assert moves(reversal) == [("CREDIT", books.a, 500), ("DEBIT", books.b, 500)]
    assert reversal["metadata"] == {"revertOf": once["id"]}
    assert transactions.get(o, b, once["id"])["revertedBy"] == reversal["id"]
    assert books.balances() == {"a": (1100, 0), "b": (200, 0), "external": (-1300, 0)}
    assert refused(lambda: transactions.revert(o, b, once["id"])) == (409, "state_conflict")

    # Refusals write nothing: too little money, sides that do not add up, an unknown account.
    assert refused(lambda: transactions.transfer(o, b, books.b, books.a, "BRL", 10_000, 2)) == (
        422,
        "insufficient_funds",
    )
    mismatch = {**brl(300), "source": {"from": [{"account": books.a, "amount": brl(200)}]}}
    mismatch["distribute"] = {"to": [{"account": books.b, "amount": brl(300)}]}
    assert refused(lambda: transactions.create(o, b, {"send": mismatch})) == (422, "amount_mismatch")
    assert refused(lambda: transactions.transfer(o, b, books.a, unique("nobody"), "BRL", 100, 2)) == (
        422,
        "reference_invalid",
    )
    assert books.balances() == {"a": (1100, 0), "b": (200, 0), "external": (-1300, 0)}
    assert sum(available + on_hold for available, on_hold in books.balances().values()) == 0

    # The ledger's transactions and A's statement, newest first.
    newest_first = [reversal["id"], hold["id"], held["id"], once["id"], deposit["id"]]
    assert [t["id"] for t in transactions.iterate(o, b, limit=2)] == newest_first
    page = transactions.list(o, b, limit=3)
    assert [t["id"] for t in page["data"]] == newest_first[:3] and page["nextCursor"]
    statement = list(api.ledger.accounts.iterate_statement(*ids, books.a, limit=2))
    assert [(op["transactionId"], op["type"], op["amount"]["value"]) for op in statement] == [
        (reversal["id"], "CREDIT", 500),
        (hold["id"], "DEBIT", 100),
        (held["id"], "DEBIT", 400),
        (once["id"], "DEBIT", 500),
        (deposit["id"], "CREDIT", 1500),
    ]
    assert all(op["accountId"] == books.a for op in statement)
    first = api.ledger.accounts.statement(*ids, books.a, limit=1)
    assert first["data"] == statement[:1] and first["nextCursor"]
    external = api.ledger.accounts.statement(*ids, books.external)["data"]
    assert [(op["transactionId"], op["type"]) for op in external] == [
        (held["id"], "CREDIT"),
        (deposit["id"], "DEBIT"),
    ]


def test_the_cli_books_a_transaction_from_a_file_and_prints_the_statement(
    local_api: tuple[str, Path], api: PartnerClient, tmp_path: Path
) -> None:
    books = Books(api)
    o, b = books.ids
    under = ("--organization", o, "--ledger", b)
    midaz = {
        "description": "Salary",
        "metadata": {"source": "midaz"},
        "send": {
            **brl(1250),
            "source": {"from": [{"account": "@external/BRL", "amount": brl(1250)}]},
            "distribute": {
                "to": [
                    {"account": books.alias_a, "amount": brl(1000)},
                    {"account": books.b, "remaining": "remaining"},
                ]
            },
        },
    }
    path = tmp_path / "transaction.json"
    path.write_text(json.dumps(midaz), encoding="utf-8")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            partner("ledger", *args),
            capture_output=True,
            text=True,
            env={**environment(local_api), "COLUMNS": "80"},
            timeout=120,
            check=False,
        )

    done = run("transactions", "create", *under, "--data", f"@{path}", "--json")
    assert done.returncode == 0, done.stderr
    created = json.loads(done.stdout)
    assert is_uuid(created["id"]) and created["status"] == "APPROVED"
    assert created["send"] == midaz["send"] and created["metadata"] == midaz["metadata"]
    assert moves(created) == [
        ("DEBIT", books.external, 1250),
        ("CREDIT", books.a, 1000),
        ("CREDIT", books.b, 250),
    ]
    assert api.ledger.transactions.get(o, b, created["id"]) == created
    assert (books.balance(books.a), books.balance(books.b)) == ((1000, 0), (250, 0))

    shown = run("transactions", "get", created["id"], *under)
    assert shown.returncode == 0, shown.stderr
    assert max(len(line) for line in shown.stdout.splitlines()) <= 80
    assert created["id"] in shown.stdout and "12.50 BRL" in shown.stdout and "10.00 BRL" in shown.stdout

    moved = api.ledger.transactions.transfer(o, b, books.a, books.b, "BRL", 300, 2)
    table = run("statement", books.a, *under)
    assert table.returncode == 0, table.stderr
    assert max(len(line) for line in table.stdout.splitlines()) <= 80
    rows = [line for line in table.stdout.splitlines() if created["id"] in line or moved["id"] in line]
    assert [moved["id"] in rows[0], created["id"] in rows[1]] == [True, True]  # newest first
    assert "-3.00 BRL" in rows[0] and "+10.00 BRL" in rows[1]

    reverted = run("transactions", "revert", moved["id"], *under, "--json")
    assert reverted.returncode == 0, reverted.stderr
    assert json.loads(reverted.stdout)["id"] == api.ledger.transactions.get(o, b, moved["id"])["revertedBy"]
    again = run("transactions", "revert", moved["id"], *under, "--json")
    assert again.returncode == 1
    assert json.loads(again.stdout)["error"]["code"] == "state_conflict"
