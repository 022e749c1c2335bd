"""`python -m partner_sdk.cli`: the `partner` command without its installed script."""

from partner_sdk.cli import app

app()
