"""$default: any request no route matched. 405 when the path exists with other methods,
else 404, in the API's envelope (API Gateway's own answer would be `{"message": ...}`)."""

from core.platform import routing
from core.platform.pipeline import unrouted


@unrouted
def lambda_handler(request):
    routing.not_found(request)
