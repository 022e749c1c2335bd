"""The rules of bank information that need no table: national ids (python-stdnum's own
test values), the supported-bank catalogue and its Dominican data file."""

from __future__ import annotations

import json
import re

import pytest

from core.bank_information import national_ids, supported_banks


@pytest.mark.parametrize(
    ("country", "number", "stored"),
    [
        ("MX", "BOXW310820HNERXN09", "BOXW310820HNERXN09"),  # CURP
        ("MX", "boxw310820hnerxn09", "BOXW310820HNERXN09"),
        ("MX", "GODE 561231 GR8", "GODE561231GR8"),  # RFC of a person
        ("MX", "MAB-930714-8T4", "MAB9307148T4"),  # RFC of a company
        ("DO", "00113918205", "00113918205"),  # cédula
        ("DO", "001-1391820-5", "00113918205"),
        ("DO", "1-01-85004-3", "101850043"),  # RNC
        ("DO", "131246796", "131246796"),
    ],
)
def test_valid_national_ids_are_stored_compact(country: str, number: str, stored: str) -> None:
    assert national_ids.normalise(country, number) == stored


@pytest.mark.parametrize(
    ("country", "number"),
    [
        ("MX", "BOXW310820HNERXN08"),  # CURP check digit
        ("MX", "BOXW310820HXXRXN09"),  # CURP state XX
        ("MX", "BOXW311320HNERXN09"),  # CURP month 13
        ("MX", "GODE561331GR8"),  # RFC day 31 of month 13
        ("MX", "00113918205"),
        ("DO", "00113918204"),  # cédula Luhn digit
        ("DO", "0011391820A"),
        ("DO", "131246795"),  # RNC check digit
        ("DO", "13124679"),
        ("DO", "BOXW310820HNERXN09"),
    ],
)
def test_invalid_national_ids_say_why(country: str, number: str) -> None:
    with pytest.raises(ValueError, match="not a valid"):
        national_ids.normalise(country, number)


def test_the_mexican_catalogue_is_banxicos_list_from_clabe() -> None:
    from clabe import BANK_NAMES, BANKS

    mexico = [b for b in supported_banks.catalogue() if b.country == "MX"]
    assert {(b.id, b.code, b.name) for b in mexico} == {
        (f"bank_mx_{abm}", abm, BANK_NAMES[code]) for abm, code in BANKS.items()
    }
    assert supported_banks.find("bank_mx_012") is not None
    assert all(re.fullmatch(r"\d{3}", b.code) for b in mexico)


def test_the_dominican_list_says_where_and_when_it_was_read() -> None:
    data = json.loads(supported_banks.DO_FILE.read_text(encoding="utf-8"))
    assert "Superintendencia de Bancos" in data["source"] and "sb.gob.do" in data["source"]
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", data["readOn"])
    assert data["howRead"] and data["codes"] and data["swift"]
    codes = [bank["code"] for bank in data["banks"]]
    assert len(codes) == len(set(codes)) and all(re.fullmatch(r"[A-Z]+", c) for c in codes)
    for bank in data["banks"]:
        assert set(bank) <= {"code", "name", "swift"}
        if "swift" in bank:
            assert re.fullmatch(r"[A-Z]{4}DO[A-Z0-9]{2}", bank["swift"])


def test_catalogue_ids_are_unique_stable_and_match_the_documented_pattern() -> None:
    banks = supported_banks.catalogue()
    assert len({b.id for b in banks}) == len(banks)
    assert [b.id for b in banks] == sorted(b.id for b in banks)
    assert all(re.fullmatch(supported_banks.ID_PATTERN, b.id) for b in banks)
    # Ids are published: these must never change meaning.
    assert supported_banks.find("bank_do_bhd").name == "Banco BHD"  # type: ignore[union-attr]
    assert supported_banks.find("bank_do_popular").swift == "BPDODOSX"  # type: ignore[union-attr]
    assert supported_banks.find("bank_xx_1") is None
