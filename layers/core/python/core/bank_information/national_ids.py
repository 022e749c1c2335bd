"""The national identifiers a bank-information record's `documentNumber` may hold:
Mexico's CURP or RFC, the Dominican Republic's cédula or RNC (python-stdnum checks each).

The kinds of a country differ in length (CURP 18 characters, RFC 10 to 13; cédula 11
digits, RNC 9), so at most one of them can accept a number. What is stored is stdnum's
compact form: upper case, without the spaces and dashes people write them with.
"""

from __future__ import annotations

from types import ModuleType

from core.platform import snapstart


def _kinds(country: str) -> dict[str, ModuleType]:
    if country == "MX":
        from stdnum.mx import curp, rfc

        return {"CURP": curp, "RFC": rfc}
    from stdnum.do import cedula, rnc

    return {"cédula": cedula, "RNC": rnc}


def normalise(country: str, number: str) -> str:
    """The number in compact form, or ValueError saying what it fails (stdnum's reason).

    RFC: stdnum's default leaves its check digit unchecked, because the SAT has issued
    RFCs whose check digit is wrong; its format and embedded date are checked."""
    from stdnum.exceptions import ValidationError

    kinds = _kinds(country)
    reasons = []
    for name, module in kinds.items():
        try:
            return str(module.validate(number))
        except ValidationError as exc:
            reasons.append(f"not a valid {name} ({str(exc).rstrip('.').lower()})")
    raise ValueError(" and ".join(reasons))


snapstart.preload("stdnum.mx.curp", "stdnum.mx.rfc", "stdnum.do.cedula", "stdnum.do.rnc", "stdnum.exceptions")
