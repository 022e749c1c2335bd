"""ISO 4217 currencies and ISO 3166-1 countries as request field types, shared by every
family that takes them (customers, ingested bank accounts, customer accounts, bank
information, the ledger's organizations).

The codes come from pycountry, imported lazily: `import pycountry` costs about 43 ms
(`python -X importtime`, Python 3.13, best of 5, after `core.platform.validation`; 85-110 ms from a
bare interpreter), the first currency and country lookups about 1.5 ms and 2.5 ms more.
Importing this module does not pay it; the first body with a currency or a country does.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import AfterValidator, Field

from core.platform import snapstart

_ISO_CODE = re.compile(r"[A-Z]{3}")


def _check_currency(value: str) -> str:
    if _ISO_CODE.fullmatch(value):
        import pycountry  # lazy: see the module docstring

        if pycountry.currencies.get(alpha_3=value) is not None:
            return value
    raise ValueError(f"{value!r} is not an ISO 4217 currency code (three upper-case letters, e.g. USD, EUR)")


def _currency_codes(schema: dict[str, Any]) -> None:
    """The codes `_check_currency` accepts, for the JSON schema only (never at run time)."""
    import pycountry

    schema["enum"] = sorted(c.alpha_3 for c in pycountry.currencies)


Currency = Annotated[
    str,
    AfterValidator(_check_currency),
    Field(
        description="ISO 4217 currency code, upper-case, e.g. `USD`, `EUR`.",
        examples=["EUR"],
        json_schema_extra=_currency_codes,
    ),
]
"""`"EUR"`: an ISO 4217 alphabetic code, three upper-case letters, known to pycountry."""


def _check_country(value: str) -> str:
    if _ISO_CODE.fullmatch(value):
        import pycountry  # lazy: see the module docstring

        if pycountry.countries.get(alpha_3=value) is not None:
            return value
    raise ValueError(
        f"{value!r} is not an ISO 3166-1 alpha-3 country code (three upper-case letters, e.g. USA, DEU)"
    )


def _country_codes(schema: dict[str, Any]) -> None:
    """The codes `_check_country` accepts, for the JSON schema only (never at run time)."""
    import pycountry

    schema["enum"] = sorted(c.alpha_3 for c in pycountry.countries)


Country3 = Annotated[
    str,
    AfterValidator(_check_country),
    Field(
        description="ISO 3166-1 alpha-3 country code, upper-case, e.g. `DEU`.",
        examples=["DEU"],
        json_schema_extra=_country_codes,
    ),
]
"""`"DEU"`: an ISO 3166-1 alpha-3 code, three upper-case letters, known to pycountry."""


def _check_country2(value: str) -> str:
    if len(value) == 2:
        import pycountry  # lazy: see the module docstring

        if pycountry.countries.get(alpha_2=value) is not None:
            return value
    raise ValueError("must be an ISO 3166-1 alpha-2 country code such as GB")


def _country2_codes(schema: dict[str, Any]) -> None:
    """The codes `_check_country2` accepts, for the JSON schema only (never at run time)."""
    import pycountry

    schema["enum"] = sorted(c.alpha_2 for c in pycountry.countries)


Country2 = Annotated[
    str,
    AfterValidator(_check_country2),
    Field(description="ISO 3166-1 alpha-2, e.g. `GB`.", examples=["GB"], json_schema_extra=_country2_codes),
]
"""`"GB"`: an ISO 3166-1 alpha-2 code, known to pycountry."""


@snapstart.warm
def _load_codes() -> None:
    """pycountry's import and its first lookups, before a SnapStart snapshot."""
    _check_currency("EUR")
    _check_country("USA")
