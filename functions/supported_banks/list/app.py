"""GET /v1/supported-banks[?country=MX|DO]: the banks bank information may name, by id."""

from core.bank_information import supported_banks
from core.platform.pipeline import ListOf, endpoint


@endpoint(
    scope="bank_information:read",
    query=supported_banks.ListSupportedBanksQuery,
    response=ListOf(supported_banks.SupportedBank),
)
def lambda_handler(call):
    return supported_banks.list_(call)
