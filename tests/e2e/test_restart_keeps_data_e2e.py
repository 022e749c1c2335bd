"""`make run` keeps the sandbox across restarts: a `localapi serve --data-file` stopped
with Ctrl-C and started again answers with the same partner, keys and data; `--fresh`
starts anew."""

from __future__ import annotations

import contextlib
import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from localapi.process import serve_command, serve_environment, stop, wait_ready
from partner_sdk.client import PartnerClient
from partner_sdk.credentials import credentials_from_file
from partner_sdk.errors import PartnerApiError

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

READY_TIMEOUT = 60.0
STOP_TIMEOUT = 30.0


class Server:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.credentials = folder / "sandbox.json"
        self.data = folder / "table.json"
        self.runs = 0

    @contextlib.contextmanager
    def run(self, *options: str) -> Iterator[PartnerClient]:
        self.runs += 1
        output = self.folder / f"serve-{self.runs}.log"
        command = serve_command(self.credentials, "--data-file", str(self.data), *options)
        with output.open("wb") as sink:
            process = subprocess.Popen(
                command, stdout=sink, stderr=subprocess.STDOUT, env=serve_environment()
            )
        try:
            wait_ready(process, output, READY_TIMEOUT)
            with PartnerClient(credentials_from_file(self.credentials)) as client:
                yield client
        finally:
            assert stop(process, STOP_TIMEOUT) == 0, output.read_text(errors="replace")


def test_a_restart_keeps_the_partner_its_keys_and_its_data_and_fresh_starts_anew(tmp_path: Path) -> None:
    server = Server(tmp_path)
    with server.run() as client:
        first = json.loads(server.credentials.read_text())
        customer = client.request("POST", "/v1/customers", json={"externalId": "crm-restart"}).json()

    with server.run() as client:
        again = json.loads(server.credentials.read_text())
        assert (again["tenantId"], again["apiKey"], again["signingKeyId"]) == (
            first["tenantId"],
            first["apiKey"],
            first["signingKeyId"],
        )
        assert client.request("GET", f"/v1/customers/{customer['id']}").json() == customer
        # The cursor secret is kept too: a list's cursor from before still reads.
        assert again["cursorSecret"] == first["cursorSecret"]

    with server.run("--fresh") as client:
        fresh = json.loads(server.credentials.read_text())
        assert fresh["tenantId"] != first["tenantId"]
        assert client.request("GET", "/v1/customers").json()["data"] == []
        with pytest.raises(PartnerApiError) as missing:
            client.request("GET", f"/v1/customers/{customer['id']}")
        assert missing.value.status == 404
