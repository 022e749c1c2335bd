"""POST /sandbox/kyc/{session}/decision: the person's choice on the sandbox page, sent to
the API as the provider's signed callback (POST {base}/v1/kyc/callbacks/sandbox), and the
outcome shown as a page: the callback's HTTP status and the customer's status after it.
"""

from core.customers import kyc_pages
from core.platform.web import page


@page
def lambda_handler(request):
    return kyc_pages.decision_page(request)
