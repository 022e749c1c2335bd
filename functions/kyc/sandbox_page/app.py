"""GET /sandbox/kyc/{session}: the sandbox KYC provider's hosted verification page.

Shows the customer the session token names and, while it is pending, Approve and Reject
buttons that POST to /sandbox/kyc/{session}/decision. A forged or expired token is 404.
"""

from core.customers import kyc_pages
from core.platform.web import page


@page
def lambda_handler(request):
    return kyc_pages.verification_page(request)
