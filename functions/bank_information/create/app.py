"""POST /v1/bank-information: register a user's bank details (201), or update the record
of the same user, country and account number (200)."""

from core.bank_information import bank_information
from core.platform.pipeline import endpoint


@endpoint(
    scope="bank_information:write",
    body=bank_information.BankInformationBody,
    status=201,
    other_statuses=(200,),
    response=bank_information.BankInformation,
)
def lambda_handler(call):
    return bank_information.create_or_update(call)
