"""Account number schemes: which scheme a currency uses, and drawing a fresh number in it.

- `iban`: schwifty builds the IBAN from the issuing country's bank (and branch: a GBP
  IBAN's sort code) and a random account part drawn with the country's BBAN rules
  (`IBAN.random` draws in the BBAN's alphabet and solves the national check digits with
  the bank's own method), then the IBAN check digits. The BIC and bank name are the
  bank's in schwifty's registry.
- `aba`: the configured routing number (its 3-7-1 check digit validated by python-stdnum's
  `us.rtn`) and a random 12-digit account number (API.md: 10 to 17 digits).
- `clabe`: the configured Banxico bank code and plaza, 11 random digits, and the control
  digit computed by the `clabe` package.

Randomness is the OS's (`random.SystemRandom`, `secrets`): a number is not guessable from
another. Uniqueness is not decided here but by the guard the issuing transaction writes
(`numbers.issue`): a collision draws again.

Import cost: schwifty and its registry are the heaviest part of the layer (measured in
the benchmark's cold-start section for the issuing function); only the issuing function
imports this module, and the registry loads at its first IBAN.
"""

from __future__ import annotations

import random
import re
import secrets
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

from core.platform import snapstart
from core.platform.config import Settings

Scheme = Literal["iban", "aba", "clabe"]
SCHEMES: tuple[Scheme, ...] = ("iban", "aba", "clabe")
# The scheme a currency's numbers take when the request names none.
DOMESTIC: dict[str, Scheme] = {"USD": "aba", "MXN": "clabe"}
ABA_ACCOUNT_DIGITS = 12
CLABE_ACCOUNT_DIGITS = 11

_ISSUER = re.compile(r"([A-Z]{3})=([A-Z]{2})/([A-Za-z0-9]+)(?:/([A-Za-z0-9]+))?")
_SYSTEM_RANDOM = random.SystemRandom()


class ConfigurationError(ValueError):
    """A number-issuing parameter of the stack is wrong: a deployment error, not a partner's."""


@dataclass(frozen=True)
class IbanIssuer:
    country: str
    bank_code: str
    branch_code: str = ""


@dataclass(frozen=True)
class Issuers:
    iban: dict[str, IbanIssuer]  # by currency
    aba_routing_number: str
    aba_bank_name: str
    clabe_bank_code: str  # the 3-digit ABM code that opens a CLABE
    clabe_plaza: str

    def schemes_for(self, currency: str) -> list[Scheme]:
        """The schemes this deployment can issue in `currency`, its domestic one first."""
        out: list[Scheme] = []
        domestic = DOMESTIC.get(currency)
        if domestic is not None:
            out.append(domestic)
        if currency in self.iban:
            out.append("iban")
        return out


@cache
def _issuers(iban: str, routing: str, bank_name: str, clabe_bank: str, plaza: str) -> Issuers:
    by_currency: dict[str, IbanIssuer] = {}
    for entry in filter(None, (part.strip() for part in iban.split(","))):
        match = _ISSUER.fullmatch(entry)
        if match is None:
            raise ConfigurationError(f"ACCOUNT_IBAN_ISSUERS: {entry!r} is not CUR=CC/bank[/branch]")
        currency, country, bank_code, branch = match.groups()
        if currency in by_currency:
            raise ConfigurationError(f"ACCOUNT_IBAN_ISSUERS names {currency} twice")
        by_currency[currency] = IbanIssuer(country, bank_code, branch or "")
    from stdnum.us import rtn

    if not rtn.is_valid(routing):
        raise ConfigurationError(f"ACCOUNT_ABA_ROUTING_NUMBER {routing!r} fails the ABA check digit")
    from clabe.validations import BANKS

    if clabe_bank not in BANKS:
        raise ConfigurationError(f"ACCOUNT_CLABE_BANK_CODE {clabe_bank!r} is not in Banxico's list")
    if not re.fullmatch(r"[0-9]{3}", plaza):
        raise ConfigurationError(f"ACCOUNT_CLABE_PLAZA {plaza!r} is not 3 digits")
    return Issuers(by_currency, routing, bank_name, clabe_bank, plaza)


def issuers(settings: Settings) -> Issuers:
    return _issuers(
        settings.account_iban_issuers,
        settings.account_aba_routing_number,
        settings.account_aba_bank_name,
        settings.account_clabe_bank_code,
        settings.account_clabe_plaza,
    )


def draw(scheme: Scheme, currency: str, config: Issuers) -> dict[str, Any]:
    """A fresh number's fields (`number`, `bankName`, and the scheme's own), and `unique`:
    the value its deployment-wide guard holds."""
    if scheme == "iban":
        return _iban(config.iban[currency])
    if scheme == "aba":
        return _aba(config)
    return _clabe(config)


def _iban(issuer: IbanIssuer) -> dict[str, Any]:
    from schwifty import IBAN

    components = {"bank_code": issuer.bank_code}
    if issuer.branch_code:
        components["branch_code"] = issuer.branch_code
    iban = IBAN.random(country_code=issuer.country, random=_SYSTEM_RANDOM, use_registry=True, **components)
    bank = iban.bank
    if bank is None:
        raise ConfigurationError(
            f"ACCOUNT_IBAN_ISSUERS: bank {issuer.bank_code} of {issuer.country} is not in schwifty's registry"
        )
    out: dict[str, Any] = {
        "number": iban.compact,
        "bic": str(iban.bic) if iban.bic is not None else None,
        "bankName": bank.name,
        "unique": iban.compact,
    }
    if issuer.country == "GB":
        out["sortCode"] = iban.branch_code
    return out


def _aba(config: Issuers) -> dict[str, Any]:
    # A leading digit from 1: some ledgers store account numbers as integers.
    account = str(secrets.randbelow(9) + 1) + "".join(
        str(secrets.randbelow(10)) for _ in range(ABA_ACCOUNT_DIGITS - 1)
    )
    return {
        "number": account,
        "routingNumber": config.aba_routing_number,
        "bankName": config.aba_bank_name,
        "unique": f"{config.aba_routing_number}:{account}",
    }


def _clabe(config: Issuers) -> dict[str, Any]:
    from clabe.validations import BANK_NAMES, BANKS, compute_control_digit

    body = (
        config.clabe_bank_code
        + config.clabe_plaza
        + "".join(str(secrets.randbelow(10)) for _ in range(CLABE_ACCOUNT_DIGITS))
    )
    number = body + compute_control_digit(body)
    return {"number": number, "bankName": BANK_NAMES[BANKS[config.clabe_bank_code]], "unique": number}


snapstart.preload("stdnum.us.rtn", "clabe.validations", "schwifty")
