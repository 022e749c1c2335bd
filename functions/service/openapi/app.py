"""GET /v1/openapi.json: the OpenAPI 3.1 document of this API, public (no API key), as
Stripe publishes its own.

The document is generated from template.yaml's routes and the handlers' models
(`localapi openapi --write`) and committed beside the platform that serves it; this function only sends that
file, read once per container, so its cold start pays no schema generation."""

from pathlib import Path

from core import platform
from core.platform.http import Response
from core.platform.pipeline import unrouted

DOCUMENT = (Path(platform.__file__).parent / "openapi.json").read_text(encoding="utf-8")
HEADERS = {"Content-Type": "application/json", "Cache-Control": "public, max-age=300"}


@unrouted
def lambda_handler(request):
    return Response(200, headers=dict(HEADERS), text=DOCUMENT)
