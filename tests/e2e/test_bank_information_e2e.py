"""Bank information over real HTTP against the local API, with the project's signing client:
an approved customer's MX record (a supported bank, a CLABE with its control digit, a CURP)
is created (201), posted again changed (200, the same record), read and listed; the
supported banks of MX and DO are listed; and a small CSV is ingested with `partner ingest
bank-information` twice, then once more edited, never creating a record twice."""

from __future__ import annotations

import json
import secrets
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from clabe import compute_control_digit

from partner_sdk.client import PartnerClient
from partner_sdk.credentials import credentials_from_file
from partner_sdk.errors import InvalidRequestError
from tests.e2e.test_customers_e2e import kyc_decision, unique
from tests.e2e.test_ingest_e2e import environment, ingest, partner

pytestmark = pytest.mark.e2e

CURP = "BOXW310820HNERXN09"
CEDULA = "00113918205"


@pytest.fixture
def api(local_api: tuple[str, Path]) -> Iterator[PartnerClient]:
    with PartnerClient(credentials_from_file(local_api[1])) as client:
        yield client


def digits(count: int) -> str:
    return "".join(secrets.choice("0123456789") for _ in range(count))


def clabe_of(bank_code: str) -> str:
    """A CLABE of the bank: its code, a plaza and an account, and the control digit."""
    stem = bank_code + digits(14)
    return stem + compute_control_digit(stem)


def approved_customer(local_api: tuple[str, Path], api: PartnerClient) -> str:
    customer = api.customers.create(
        type="individual",
        name="Ana",
        external_id=unique("bi-e2e"),
        country="MX",
        document_number=CURP,
    )
    assert kyc_decision(local_api, customer["id"]).status_code == 200
    assert api.customers.get(customer["id"])["status"] == "active"
    return str(customer["id"])


def test_bank_information_created_updated_read_and_listed(
    local_api: tuple[str, Path], api: PartnerClient
) -> None:
    user = approved_customer(local_api, api)
    account_number, clabe = digits(10), clabe_of("012")
    assert clabe.startswith("012") and len(clabe) == 18

    first = api.bank_information.save(
        user,
        "MX",
        account_number,
        "CHECKING",
        supported_bank_id="bank_mx_012",
        clabe=clabe,
        document_number=CURP,
    )
    assert first.status == 201, first.json()
    created = first.json()
    assert created["id"].startswith("bi_") and created["object"] == "bank_information"
    tenant = json.loads(local_api[1].read_text())["tenantId"]
    assert {name: created[name] for name in ("userId", "partnerId", "bankName", "supportedBankId")} == {
        "userId": user,
        "partnerId": tenant,
        "bankName": None,
        "supportedBankId": "bank_mx_012",
    }
    assert (created["accountNumber"], created["accountType"], created["clabe"], created["country"]) == (
        account_number,
        "CHECKING",
        clabe,
        "MX",
    )
    assert (created["rampType"], created["documentNumber"], created["status"]) == ("OFF_RAMP", CURP, "active")

    # The same user, country and account number again, changed: the same record, updated.
    again = api.bank_information.save(
        user,
        "MX",
        account_number,
        "SAVINGS",
        supported_bank_id="bank_mx_012",
        clabe=clabe,
        document_number=CURP,
        ramp_type="ON_RAMP",
    )
    assert again.status == 200, again.json()
    updated = again.json()
    assert updated["id"] == created["id"] and updated["createdAt"] == created["createdAt"]
    assert (updated["accountType"], updated["rampType"], updated["clabe"]) == ("SAVINGS", "ON_RAMP", clabe)
    assert api.bank_information.get(created["id"]) == updated

    # `create` answers the record; leaving out documentNumber takes the KYC one (the same CURP).
    record = api.bank_information.create(
        user,
        "MX",
        account_number,
        "SAVINGS",
        supported_bank_id="bank_mx_012",
        clabe=clabe,
        ramp_type="ON_RAMP",
    )
    assert record["id"] == created["id"] and record["documentNumber"] == CURP

    listed = api.bank_information.list(user_id=user)
    assert [item["id"] for item in listed["data"]] == [created["id"]] and listed["nextCursor"] is None
    assert [
        item["id"] for item in api.bank_information.iterate(user_id=user, country="MX", ramp_type="ON_RAMP")
    ] == [created["id"]]
    assert api.bank_information.list(user_id=user, country="DO")["data"] == []
    assert api.bank_information.list(user_id=user, ramp_type="OFF_RAMP")["data"] == []

    # A CLABE of another bank than supportedBankId's is refused and changes nothing.
    with pytest.raises(InvalidRequestError) as refused:
        api.bank_information.create(
            user, "MX", account_number, "CHECKING", supported_bank_id="bank_mx_012", clabe=clabe_of("002")
        )
    assert (refused.value.status, refused.value.code, refused.value.param) == (
        400,
        "parameter_invalid",
        "clabe",
    )
    assert api.bank_information.get(created["id"]) == updated


def test_supported_banks_of_mexico_and_the_dominican_republic(api: PartnerClient) -> None:
    mexico = list(api.supported_banks.iterate(country="MX", limit=100))
    assert mexico and {bank["country"] for bank in mexico} == {"MX"}
    by_id = {bank["id"]: bank for bank in mexico}
    assert (by_id["bank_mx_012"]["object"], by_id["bank_mx_012"]["code"]) == ("supported_bank", "012")
    assert all(bank["id"] == f"bank_mx_{bank['code']}" and len(bank["code"]) == 3 for bank in mexico)
    assert [bank["id"] for bank in mexico] == sorted(by_id)  # id order

    first = api.supported_banks.list(country="DO", limit=5)
    assert len(first["data"]) == 5 and first["nextCursor"]
    dominican = list(api.supported_banks.iterate(country="DO", limit=5))
    assert dominican[:5] == first["data"] and len(dominican) > 5
    assert {bank["country"] for bank in dominican} == {"DO"}
    assert all(bank["id"].startswith("bank_do_") and bank["name"] for bank in dominican)
    assert any(bank.get("swift") for bank in dominican)


def write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    columns = ["userId", "country", "accountNumber", "accountType", "supportedBankId", "bankName", "clabe"]
    columns += ["documentNumber", "rampType"]
    lines = [",".join(columns)] + [",".join(row.get(name, "") for name in columns) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_bank_information_file_ingested_twice_creates_each_record_once(
    local_api: tuple[str, Path], api: PartnerClient, tmp_path: Path
) -> None:
    user = approved_customer(local_api, api)
    existing = api.bank_information.create(user, "MX", digits(10), "CHECKING", bank_name="Banco Previo")
    rows: list[dict[str, Any]] = [
        {  # the record above: updated, not created again
            "userId": user,
            "country": "MX",
            "accountNumber": existing["accountNumber"],
            "accountType": "CHECKING",
            "supportedBankId": "bank_mx_012",
            "clabe": clabe_of("012"),
            "documentNumber": CURP,
        },
        {  # leading zeros kept; no documentNumber: the KYC one
            "userId": user,
            "country": "MX",
            "accountNumber": "00" + digits(8),
            "accountType": "SAVINGS",
            "bankName": "Banco Regional",
            "rampType": "ON_RAMP",
        },
        {
            "userId": user,
            "country": "DO",
            "accountNumber": digits(12),
            "accountType": "CHECKING",
            "supportedBankId": "bank_do_bhd",
            "documentNumber": CEDULA,
        },
    ]
    path = write_csv(tmp_path / "bank-information.csv", rows)

    code, first, stderr = ingest(local_api, "bank-information", str(path), "--concurrency", "2")
    assert code == 0, (first, stderr)
    assert (first["rows"], first["created"], first["updated"], first["rejected"], first["failed"]) == (
        3,
        2,
        1,
        0,
        0,
    )
    assert Path(f"{path}.report.jsonl").read_text() == ""

    code, second, stderr = ingest(local_api, "bank-information", str(path), "--concurrency", "2")
    assert code == 0, (second, stderr)
    assert (second["created"], second["replayed"], second["rejected"], second["failed"]) == (0, 3, 0, 0)

    # Other bytes, so new Idempotency-Keys: every row updates its record, none is created.
    rows[2]["rampType"] = "ON_RAMP"
    edited = write_csv(tmp_path / "bank-information-2.csv", rows)
    code, third, stderr = ingest(local_api, "bank-information", str(edited), "--concurrency", "2")
    assert code == 0, (third, stderr)
    assert (third["created"], third["updated"], third["rejected"], third["failed"]) == (0, 3, 0, 0)

    # The `partner` CLI lists what the runs made: exactly one record per row.
    done = subprocess.run(
        partner("bank-information", "list", "--user-id", user, "--all", "--json"),
        capture_output=True,
        text=True,
        env=environment(local_api),
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    records = {item["accountNumber"]: item for item in json.loads(done.stdout)["data"]}
    assert sorted(records) == sorted(row["accountNumber"] for row in rows)
    assert records[existing["accountNumber"]]["id"] == existing["id"]
    assert records[existing["accountNumber"]]["supportedBankId"] == "bank_mx_012"
    assert records[existing["accountNumber"]]["bankName"] is None
    assert records[rows[1]["accountNumber"]]["documentNumber"] == CURP
    dominican = records[rows[2]["accountNumber"]]
    assert (dominican["country"], dominican["supportedBankId"], dominican["rampType"]) == (
        "DO",
        "bank_do_bhd",
        "ON_RAMP",
    )
    assert dominican["documentNumber"] == CEDULA and dominican["clabe"] is None
