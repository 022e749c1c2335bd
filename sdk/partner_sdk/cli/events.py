"""`partner events`: the event log (what webhooks deliver)."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.text import Text

from partner_sdk.cli._common import (
    AllOption,
    CursorOption,
    JsonOption,
    LimitOption,
    api_errors,
    cell,
    client,
    details,
    list_command,
    print_json,
    show_page,
    stdout,
)

app = typer.Typer(help="Read the event log (what webhooks deliver).", no_args_is_help=True)
COLUMNS = ("id", "type", "object", "createdAt")


def _row(event: Any) -> list[Text]:
    obj = (event.get("data") or {}).get("object") or {}
    return [cell(event.get("id")), cell(event.get("type")), cell(obj.get("id")), cell(event.get("createdAt"))]


@app.command("list")
def list_(
    ctx: typer.Context,
    event_type: Annotated[str | None, typer.Option("--type", help="e.g. customer.created")] = None,
    created_after: Annotated[
        str | None, typer.Option("--created-after", help="RFC 3339, e.g. 2026-02-23T12:00:00Z.")
    ] = None,
    limit: LimitOption = None,
    cursor: CursorOption = None,
    all_pages: AllOption = False,
    as_json: JsonOption = False,
) -> None:
    """List events, newest first (one page unless --all). --json prints {"data", "nextCursor"}."""
    page = list_command(
        ctx,
        one_page=lambda api: api.events.list(event_type, created_after, limit, cursor),
        every_page=lambda api: api.events.iterate(event_type, created_after, limit),
        all_pages=all_pages,
        cursor=cursor,
        as_json=as_json,
    )
    show_page(page, as_json, "event", COLUMNS, _row)


@app.command("get")
def get(
    ctx: typer.Context,
    event_id: Annotated[str, typer.Argument(help="The event's id (evt_...).")],
    as_json: JsonOption = False,
) -> None:
    """Show one event with its data."""
    with client(ctx) as api, api_errors(as_json):
        event = api.events.get(event_id)
    if as_json or not isinstance(event, dict):
        print_json(event, as_json)
        return
    data = event.get("data") or {}
    summary = {
        **event,
        "object": (data.get("object") or {}).get("id"),
        "changedFields": data.get("changedFields"),
    }
    console = stdout()
    console.print(details("Event", summary, ("id", "type", "object", "changedFields", "createdAt")))
    console.print_json(data=data)


@app.command("redeliver")
def redeliver(
    ctx: typer.Context,
    event_id: Annotated[str, typer.Argument(help="The event's id (evt_...).")],
    endpoint_id: Annotated[str, typer.Option("--endpoint", help="The webhook endpoint's id (whk_...).")],
    as_json: JsonOption = False,
) -> None:
    """Send the event to an endpoint again now (also after its last retry failed).

    Prints the new delivery; follow it with `partner webhook-endpoints deliveries ID`.
    """
    with client(ctx) as api, api_errors(as_json):
        delivery = api.events.redeliver(event_id, endpoint_id)
    if as_json or not isinstance(delivery, dict):
        print_json(delivery, as_json)
        return
    attempts = delivery.get("attempts")
    summary = {**delivery, "attempts": len(attempts) if isinstance(attempts, list) else attempts}
    fields = ("id", "status", "eventType", "eventId", "endpointId", "attempts", "nextAttemptAt", "createdAt")
    stdout().print(details("Redelivery", summary, fields))
