"""$default: any request no route matched. 405 when the path exists with other methods,
else 404, in the API's envelope (API Gateway's own answer would be `{"message": ...}`)."""

from core import routing
from core.errors import MethodNotAllowed, ResourceMissing
from core.pipeline import unrouted


@unrouted
def lambda_handler(request):
    allowed = routing.allowed_methods(request.raw_path)
    if allowed:
        raise MethodNotAllowed(
            f"{request.method} is not allowed on {request.raw_path}.", headers={"Allow": ", ".join(allowed)}
        )
    raise ResourceMissing(f"Unrecognized request URL ({request.method} {request.raw_path}).")
