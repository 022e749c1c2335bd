"""Account number schemes (core/accounts/number_schemes.py): every drawn number valid for
its scheme's own validator and an independent check, and the configuration's rules."""

from __future__ import annotations

import warnings

import pytest
from clabe import validate_clabe
from schwifty import IBAN
from stdnum.us import rtn

from core.accounts import number_schemes
from core.platform.config import Settings

SETTINGS = Settings.model_validate({"TABLE_NAME": "table", "CURSOR_SECRET": "c" * 32})
CONFIG = number_schemes.issuers(SETTINGS)


def mod97(iban: str) -> int:
    rearranged = iban[4:] + iban[:4]
    return int("".join(str(int(c, 36)) for c in rearranged)) % 97


@pytest.mark.parametrize("currency", sorted(CONFIG.iban))
def test_ibans_of_every_configured_currency(currency: str) -> None:
    issuer = CONFIG.iban[currency]
    seen = set()
    for _ in range(50):
        drawn = number_schemes.draw("iban", currency, CONFIG)
        with warnings.catch_warnings():  # schwifty knows no national checksum for SE
            warnings.simplefilter("ignore")
            iban = IBAN(drawn["number"], validate_bban=True)
        assert mod97(drawn["number"]) == 1
        assert (iban.country_code, iban.bank_code) == (issuer.country, issuer.bank_code)
        assert drawn["unique"] == drawn["number"] == iban.compact
        assert drawn["bankName"] and drawn["bic"] == str(iban.bic)
        seen.add(drawn["number"])
    assert len(seen) == 50


def test_gbp_ibans_carry_the_configured_sort_code() -> None:
    drawn = number_schemes.draw("iban", "GBP", CONFIG)
    assert drawn["sortCode"] == "601613" == IBAN(drawn["number"]).branch_code


def test_aba_numbers() -> None:
    for _ in range(50):
        drawn = number_schemes.draw("aba", "USD", CONFIG)
        routing = drawn["routingNumber"]
        assert rtn.is_valid(routing)
        assert sum(int(d) * w for d, w in zip(routing, [3, 7, 1] * 3, strict=True)) % 10 == 0
        assert drawn["number"].isdigit() and 10 <= len(drawn["number"]) <= 17 and drawn["number"][0] != "0"
        assert drawn["unique"] == f"{routing}:{drawn['number']}"


def test_clabes_carry_the_configured_bank_and_plaza_and_a_valid_control_digit() -> None:
    for _ in range(50):
        drawn = number_schemes.draw("clabe", "MXN", CONFIG)
        number = drawn["number"]
        assert validate_clabe(number) and len(number) == 18
        assert number[:3] == SETTINGS.account_clabe_bank_code and number[3:6] == SETTINGS.account_clabe_plaza
        weights = [3, 7, 1] * 6
        control = (10 - sum(int(d) * w % 10 for d, w in zip(number[:17], weights, strict=False)) % 10) % 10
        assert int(number[17]) == control


def test_which_schemes_a_currency_takes() -> None:
    assert CONFIG.schemes_for("USD") == ["aba"]
    assert CONFIG.schemes_for("MXN") == ["clabe"]
    assert CONFIG.schemes_for("EUR") == ["iban"]
    assert CONFIG.schemes_for("JPY") == []
    usd_ibans = number_schemes.issuers(SETTINGS.model_copy(update={"account_iban_issuers": "USD=LT/32500"}))
    assert usd_ibans.schemes_for("USD") == ["aba", "iban"]


@pytest.mark.parametrize(
    ("update", "message"),
    [
        ({"account_iban_issuers": "EUR:DE:10010010"}, "is not CUR=CC/bank"),
        ({"account_iban_issuers": "EUR=DE/10010010,EUR=FR/30006"}, "names EUR twice"),
        ({"account_aba_routing_number": "110000001"}, "check digit"),
        ({"account_clabe_bank_code": "999"}, "Banxico"),
        ({"account_clabe_plaza": "18"}, "3 digits"),
    ],
)
def test_a_wrong_issuer_is_a_configuration_error(update: dict[str, str], message: str) -> None:
    with pytest.raises(number_schemes.ConfigurationError, match=message):
        number_schemes.issuers(SETTINGS.model_copy(update=update))


def test_a_bank_missing_from_the_registry_is_a_configuration_error() -> None:
    config = number_schemes.issuers(SETTINGS.model_copy(update={"account_iban_issuers": "EUR=DE/99999999"}))
    with pytest.raises(number_schemes.ConfigurationError, match="not in schwifty's registry"):
        number_schemes.draw("iban", "EUR", config)
