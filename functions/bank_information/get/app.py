"""GET /v1/bank-information/{bankInformationId}: one record of bank information."""

from core.bank_information import bank_information
from core.platform.pipeline import endpoint


@endpoint(
    scope="bank_information:read",
    path=bank_information.BankInformationPath,
    response=bank_information.BankInformation,
)
def lambda_handler(call):
    return bank_information.get(call)
