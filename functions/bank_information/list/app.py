"""GET /v1/bank-information: the partner's bank information, newest first (filters
userId, country, rampType)."""

from core.bank_information import bank_information
from core.platform.pipeline import ListOf, endpoint


@endpoint(
    scope="bank_information:read",
    query=bank_information.ListBankInformationQuery,
    response=ListOf(bank_information.BankInformation),
)
def lambda_handler(call):
    return bank_information.list_(call)
