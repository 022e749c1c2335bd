"""The rules of the API that JSON Schema cannot state, for schemathesis' positive-data check.

`positive_data_acceptance` says that a request the document calls valid must not be
refused with a 4xx the document does not explain. The document states every rule it can
(patterns, lengths, enums, `uniqueItems`, `anyOf`, `if`/`then`); the rules below it
states in words only (in the field's `description`), because no schema can: a checksum,
a MAC, a relation between items, the server's clock, how many digits a number was sent
with. A generated request can keep to the schema and still break one of them, and then
the server is right to refuse it.

Each rule names the parameters the server names (`param` of its 400) when the rule
refuses a request, and a predicate that decides from the request alone, with code of its
own rather than the server's (cryptography, eth-utils, arithmetic), whether the request
breaks the rule. A positive case's 400 (or 413) is excused only when the parameter it
names is one of a rule's and that rule's predicate holds for what was sent; any other
refusal of schema-valid data stays a failure. Statuses that depend on stored data (404,
409, 422: an id that names nothing, a value already taken, a limit over what is stored)
are not refusals of the data: `fuzzing.EXPECTED_FOR_VALID_DATA` accepts them.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

# A path as the server writes `param`: `riskHistory[3].assessedAt`.
_PATH_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")
_MISSING = object()


@dataclass(frozen=True)
class Sent:
    """What a request carried: its query and its JSON body (None without one)."""

    query: dict[str, Any]
    body: Any
    body_bytes: int

    def value(self, param: str) -> Any:
        """The value at a server's `param` path, from the query, else the body."""
        if param in self.query:
            return self.query[param]
        current = self.body
        for name, index in _PATH_PART.findall(param):
            if name and isinstance(current, dict) and name in current:
                current = current[name]
            elif index and isinstance(current, list) and int(index) < len(current):
                current = current[int(index)]
            else:
                return _MISSING
        return current


@dataclass(frozen=True)
class Unstated:
    """A rule the document states in words only: `params` (a regular expression over the
    server's `param`) names where it refuses, `broken(sent, param)` whether this request
    breaks it."""

    name: str
    params: str
    reason: str
    broken: Callable[[Sent, str], bool]
    status: int = 400

    def excuses(self, status: int, param: str | None, sent: Sent) -> bool:
        if status != self.status or not re.fullmatch(self.params, param or ""):
            return False
        return self.broken(sent, param or "")


# -- the predicates -----------------------------------------------------------------------

_EVM_CHAINS = frozenset({"ethereum", "polygon", "arbitrum", "optimism", "base", "avalanche", "bsc"})
_HEX_ADDRESS = re.compile(r"0x[0-9a-fA-F]{40}")


def _bad_eip55(address: Any) -> bool:
    """A mixed-case `0x` + 40 hex address whose case is not its EIP-55 checksum."""
    from eth_utils import to_checksum_address

    if not isinstance(address, str) or not _HEX_ADDRESS.fullmatch(address):
        return False
    digits = address[2:]
    return digits not in (digits.lower(), digits.upper()) and address != to_checksum_address(address)


def _onchain_checksum(sent: Sent, param: str) -> bool:
    value = sent.value(param)
    return isinstance(value, str) and value.count(":") == 2 and _bad_eip55(value.rsplit(":", 1)[1])


def _valid_bitcoin(address: str) -> bool:
    """A mainnet bech32/bech32m or base58check P2PKH / P2SH address."""
    import base58
    import bech32m

    if address.lower().startswith("bc1"):
        try:
            bech32m.decode("bc", address)
        except Exception:
            return False
        return True
    try:
        payload = base58.b58decode_check(address)
    except ValueError:
        return False
    return len(payload) == 21 and payload[0] in (0x00, 0x05)


def _address_checksum(sent: Sent, param: str) -> bool:
    body = sent.body if isinstance(sent.body, dict) else {}
    address, chain = body.get("address"), body.get("chain")
    if not isinstance(address, str):
        return False
    if chain in _EVM_CHAINS:
        return _bad_eip55(address)
    if chain == "bitcoin":
        return not _valid_bitcoin(address)
    return False


def _parsed_moment(value: Any) -> date | datetime | None:
    if not isinstance(value, str):
        return None
    try:
        if len(value) == 10:
            return date.fromisoformat(value)
        return datetime.fromisoformat(value.upper())
    except ValueError:
        return None


def _in_the_future(sent: Sent, param: str) -> bool:
    """Later than today in UTC+14 (a date), or more than 5 minutes ahead (a date-time)."""
    moment = _parsed_moment(sent.value(param))
    now = datetime.now(UTC)
    if isinstance(moment, datetime):
        try:
            return moment.astimezone(UTC) > now + timedelta(minutes=5)
        except OverflowError:
            return False
    return isinstance(moment, date) and moment > (now + timedelta(hours=14)).date()


def _outside_years_1_to_9999_in_utc(sent: Sent, param: str) -> bool:
    moment = _parsed_moment(sent.value(param))
    if not isinstance(moment, datetime):
        return False
    try:
        moment.astimezone(UTC)
    except OverflowError:
        return True
    return False


def _repeated_integration(sent: Sent, param: str) -> bool:
    entries = sent.value("integrations")
    if not isinstance(entries, list):
        return False
    pairs = [(e.get("provider"), e.get("externalId")) for e in entries if isinstance(e, dict)]
    return len(pairs) != len(set(pairs))


def _numbers(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return [n for item in value.values() for n in _numbers(item)]
    if isinstance(value, list):
        return [n for item in value for n in _numbers(item)]
    return [value] if isinstance(value, int | float) and not isinstance(value, bool) else []


def _too_many_digits(sent: Sent, param: str) -> bool:
    """A number sent with more than 38 digits: an integer, written out in full."""
    return any(isinstance(n, int) and len(str(abs(n))) > 38 for n in _numbers(sent.value(param)))


# secp256k1: the field prime, the group order; y^2 = x^3 + 7.
_P = 2**256 - 2**32 - 977
_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141


def _unrecoverable(sent: Sent, param: str) -> bool:
    """r or s outside 1..n-1, or r not the x-coordinate of a point: no key signed this."""
    value = sent.value(param)
    if not isinstance(value, str) or len(value) != 132:
        return False
    try:
        r, s = int(value[2:66], 16), int(value[66:130], 16)
    except ValueError:
        return False
    if not (0 < r < _N and 0 < s < _N):
        return True
    rhs = (pow(r, 3, _P) + 7) % _P
    return rhs != 0 and pow(rhs, (_P - 1) // 2, _P) != 1


def _jwk_bytes(value: Any) -> bytes:
    if not isinstance(value, str):
        raise ValueError("not base64url")
    unpadded = value.rstrip("=")
    return base64.urlsafe_b64decode(unpadded + "=" * (-len(unpadded) % 4))


def _key(public_key: Any) -> Any:
    """The key that `public_key` (PEM or JWK) holds, by cryptography; ValueError if none
    of a supported type and size."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

    if isinstance(public_key, str):
        try:
            key: Any = serialization.load_pem_public_key(public_key.strip().encode("ascii"))
        except (ValueError, UnicodeError, TypeError) as exc:
            raise ValueError("no key") from exc
        except Exception as exc:  # UnsupportedAlgorithm
            raise ValueError("unsupported") from exc
    elif isinstance(public_key, dict):
        kty, crv = public_key.get("kty"), public_key.get("crv")
        try:
            if kty == "OKP":
                key = ed25519.Ed25519PublicKey.from_public_bytes(_jwk_bytes(public_key.get("x")))
            elif kty == "RSA":
                n = int.from_bytes(_jwk_bytes(public_key.get("n")), "big")
                e = int.from_bytes(_jwk_bytes(public_key.get("e")), "big")
                key = rsa.RSAPublicNumbers(e, n).public_key()
            elif kty == "EC" and crv in ("P-256", "P-384"):
                curve = ec.SECP256R1() if crv == "P-256" else ec.SECP384R1()
                x = int.from_bytes(_jwk_bytes(public_key.get("x")), "big")
                y = int.from_bytes(_jwk_bytes(public_key.get("y")), "big")
                key = ec.EllipticCurvePublicNumbers(x, y, curve).public_key()
            else:
                raise ValueError("no key")
        except (ValueError, binascii.Error) as exc:
            raise ValueError("no key") from exc
    else:
        raise ValueError("no key")
    if isinstance(key, rsa.RSAPublicKey) and not 2048 <= key.key_size <= 16384:
        raise ValueError("RSA size")
    if isinstance(key, ec.EllipticCurvePublicKey) and not isinstance(key.curve, ec.SECP256R1 | ec.SECP384R1):
        raise ValueError("curve")
    if not isinstance(key, ed25519.Ed25519PublicKey | rsa.RSAPublicKey | ec.EllipticCurvePublicKey):
        raise ValueError("type")
    return key


def _no_key(sent: Sent, param: str) -> bool:
    try:
        _key(sent.value("publicKey"))
    except ValueError:
        return True
    return False


def _algorithm_misfits_pem(sent: Sent, param: str) -> bool:
    """A PEM key of one type with an algorithm of another (a JWK's type the schema sees)."""
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

    public_key, algorithm = sent.value("publicKey"), sent.value("algorithm")
    if not isinstance(public_key, str) or not isinstance(algorithm, str):
        return False
    try:
        key = _key(public_key)
    except ValueError:
        return False
    if isinstance(key, ed25519.Ed25519PublicKey):
        fits: tuple[str, ...] = ("ed25519",)
    elif isinstance(key, rsa.RSAPublicKey):
        fits = ("rsa-v1_5-sha256", "rsa-pss-sha512")
    elif isinstance(key, ec.EllipticCurvePublicKey) and isinstance(key.curve, ec.SECP256R1):
        fits = ("ecdsa-p256-sha256",)
    else:
        fits = ("ecdsa-p384-sha384",)
    return algorithm not in fits


def _cursor_sent(sent: Sent, param: str) -> bool:
    return isinstance(sent.query.get("cursor"), str)


def _body_too_large(sent: Sent, param: str) -> bool:
    from core.platform.pipeline import MAX_BODY_BYTES

    return sent.body_bytes > MAX_BODY_BYTES


_PUBLIC_NAME = re.compile(r"(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}")


def _not_a_plain_public_https_url(sent: Sent, param: str) -> bool:
    """Anything but `https://` + a DNS name with an alphabetic top-level label (not
    localhost), no credentials, a valid port, no spaces or control characters: a webhook
    URL is refused when it can reach no public host, which depends on DNS and on every
    spelling of every private address, not on a pattern."""
    from urllib.parse import urlsplit

    url = sent.value(param)
    if not isinstance(url, str) or not url.isascii() or any(c.isspace() or ord(c) < 32 for c in url):
        return True
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return True
    host = (parts.hostname or "").rstrip(".")
    return (
        parts.scheme != "https"
        or "@" in parts.netloc
        or (port is not None and not 1 <= port <= 65535)
        or not _PUBLIC_NAME.fullmatch(host)
        or host == "localhost"
        or host.endswith(".localhost")
    )


def _integer_with_a_point(sent: Sent, param: str) -> bool:
    """An integer field sent as `10.0` or `1e1`: JSON Schema's `integer` admits any number
    with no fractional part, however written; the API takes integers written as integers."""
    return isinstance(sent.value(param), float)


_ENTRY = r"send\.(?:source\.from|distribute\.to)\[\d+\]"
_SHARE = r"share\.percentage(?:OfPercentage)?"
_INTEGERS = rf"scale|send\.(?:value|scale)|{_ENTRY}\.(?:amount\.(?:value|scale)|{_SHARE})"


def _may_drop_digits(sent: Sent, param: str) -> bool:
    """An amount whose value has a digit below what its instrument's scale may keep: the
    instrument (stored data) decides, so any value not a whole multiple of 10 at a scale
    above zero may be refused."""
    value = sent.value(param)
    scale = sent.value(param.rsplit(".", 1)[0] + ".scale")
    return isinstance(value, int) and isinstance(scale, int) and scale > 0 and value % 10 != 0


def _over_40_entries(sent: Sent, param: str) -> bool:
    return (
        sum(
            len(v)
            for v in (sent.value("send.source.from"), sent.value("send.distribute.to"))
            if isinstance(v, list)
        )
        > 40
    )


_CLABE_WEIGHTS = (3, 7, 1) * 6


def _clabe_refused(sent: Sent, param: str) -> bool:
    """A CLABE whose control digit (weights 3, 7, 1 over the first 17 digits) is wrong, whose
    first three digits are no Banxico bank, or not those of the supportedBankId named."""
    from clabe import BANKS

    body = sent.body if isinstance(sent.body, dict) else {}
    clabe, bank = body.get("clabe"), body.get("supportedBankId")
    if not isinstance(clabe, str) or not re.fullmatch(r"[0-9]{18}", clabe):
        return False
    total = sum(int(digit) * weight % 10 for digit, weight in zip(clabe[:17], _CLABE_WEIGHTS, strict=False))
    if clabe[17] != str((10 - total % 10) % 10) or clabe[:3] not in BANKS:
        return True
    return isinstance(bank, str) and bank.startswith("bank_mx_") and bank[len("bank_mx_") :] != clabe[:3]


def _national_id_refused(sent: Sent, param: str) -> bool:
    """No documentNumber (the customer's KYC one is used: stored data, which may hold none or
    one of another country), or one python-stdnum takes for no id of the record's country."""
    body = sent.body if isinstance(sent.body, dict) else {}
    number, country = body.get("documentNumber"), body.get("country")
    if number is None:
        return True
    if not isinstance(number, str):
        return False
    if country == "MX":
        from stdnum.mx import curp, rfc

        return not (curp.is_valid(number) or rfc.is_valid(number))
    from stdnum.do import cedula, rnc

    return not (cedula.is_valid(number) or rnc.is_valid(number))


_DATETIMES = r"screeningDate|riskHistory\[\d+\]\.assessedAt|integrations\[\d+\]\.syncedAt"

UNSTATED: tuple[Unstated, ...] = (
    Unstated(
        "cursor_not_issued",
        "cursor",
        "a cursor is valid only as the server issued it for this tenant and list: an HMAC "
        "under the server's secret, which no generator can make (the pattern states its form)",
        _cursor_sent,
    ),
    Unstated(
        "eip55_checksum",
        "onchainId",
        "a mixed-case address must carry its EIP-55 checksum (Keccak-256 of the address)",
        _onchain_checksum,
    ),
    Unstated(
        "address_checksum",
        "address",
        "on a known chain, an address must carry its checksum: EIP-55 on the EVM chains, "
        "bech32/bech32m or base58check (and segwit program lengths) on bitcoin",
        _address_checksum,
    ),
    Unstated(
        "screening_date_in_the_future",
        "screeningDate",
        "a screening date must not be in the future: relative to the server's clock",
        _in_the_future,
    ),
    Unstated(
        "datetime_beyond_year_9999_or_before_year_1_in_utc",
        _DATETIMES,
        "a date-time must stay within years 0001-9999 once moved to UTC (0001-01-01T00:00:00+01:00 "
        "is in year 0): a range over the offset's arithmetic",
        _outside_years_1_to_9999_in_utc,
    ),
    Unstated(
        "integrations_unique_by_provider_and_external_id",
        "integrations",
        "no two integrations with the same provider and externalId: `uniqueItems` compares "
        "whole items, not two members of them",
        _repeated_integration,
    ),
    Unstated(
        "number_of_more_than_38_digits",
        r"riskHistory\[\d+\]\.score|integrations\[\d+\]\.data",
        "DynamoDB stores at most 38 significant digits: a property of how the number is "
        "written (an integer in full), not of its value, which is all a schema sees",
        _too_many_digits,
    ),
    Unstated(
        "signature_recovers_no_key",
        "signature",
        "r and s must be a secp256k1 signature of something (in range, r the x of a curve point)",
        _unrecoverable,
    ),
    Unstated(
        "public_key_is_no_key",
        "publicKey",
        "the PEM's DER or the JWK's members must make a real public key of a supported type "
        "and size (a point on the curve, RSA of 2048 to 16384 bits)",
        _no_key,
    ),
    Unstated(
        "algorithm_does_not_fit_the_pem_key",
        "algorithm",
        "the algorithm must suit the key's type, which a PEM hides from a schema (a JWK's "
        "`kty` and `crv` it sees, and the document states those rules)",
        _algorithm_misfits_pem,
    ),
    Unstated(
        "webhook_url_not_public_https",
        "url",
        "a webhook URL must be https to a public host: refused for every private, loopback or "
        "link-local address in any spelling, credentials, or a name that resolves to one",
        _not_a_plain_public_https_url,
    ),
    Unstated(
        "integer_written_with_a_point_or_exponent",
        _INTEGERS,
        "an integer (an instrument's scale, an amount) must be written as one: `10`, not `10.0` "
        "or `1e1`, which JSON Schema's `integer` also admits (a property of how it is written)",
        _integer_with_a_point,
    ),
    Unstated(
        "amount_finer_than_the_instruments_scale",
        rf"send\.value|{_ENTRY}\.amount\.value",
        "an amount must convert to its instrument's scale exactly: which digits it may have "
        "depends on the instrument (stored data), not on the request",
        _may_drop_digits,
    ),
    Unstated(
        "at_most_40_entries_in_all",
        "send",
        "a transaction has at most 40 entries in all: a limit across two lists (each is at "
        "most 40 by the schema)",
        _over_40_entries,
    ),
    Unstated(
        "clabe_control_digit_and_bank",
        "clabe",
        "a CLABE's 18th digit is a weighted checksum of the 17 before it, and its first three "
        "digits must be a Banxico bank's, that of supportedBankId when one is named",
        _clabe_refused,
    ),
    Unstated(
        "document_number_is_a_national_id",
        "documentNumber",
        "a documentNumber must be a CURP or RFC (MX), a cédula or RNC (DO): check digits, "
        "embedded dates and state codes; without one, the customer's KYC number is used",
        _national_id_refused,
    ),
    Unstated(
        "body_over_256_kib",
        "",
        "a body is at most 256 KiB: a limit on the serialised bytes, not on any one field",
        _body_too_large,
        status=413,
    ),
)


def sent_of(case: Any) -> Sent:
    """The query and body of a schemathesis case."""
    query = dict(case.query or {})
    body = getattr(case, "body", None)
    try:
        size = len(json.dumps(body, ensure_ascii=False).encode("utf-8", "surrogatepass"))
    except (TypeError, ValueError):
        size = 0
    return Sent(query, body if isinstance(body, dict | list) else None, size)


def excusing(status: int, error: Any, sent: Sent) -> Unstated | None:
    """The rule that excuses this refusal of a schema-valid request, if any."""
    param = error.get("param") if isinstance(error, dict) else None
    for rule in UNSTATED:
        if rule.excuses(status, param, sent):
            return rule
    return None
