"""The ``secdilemma serve`` command: the scenario lab in the browser (the ``[web]`` extra)."""

from __future__ import annotations

import ipaddress
from typing import Annotated

import typer

from secdilemma.cli.common import console, fail
from secdilemma.errors import InputError

DEFAULT_PORT = 8765


def is_loopback(host: str) -> bool:
    """Whether ``host`` names this machine only (127.0.0.0/8, ::1, localhost)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def serve_command(
    scenario: Annotated[
        str | None, typer.Argument(help="The scenario the page opens with (a name or a YAML path).")
    ] = None,
    port: Annotated[
        int, typer.Option(help="The port to listen on.", min=1, max=65535)
    ] = DEFAULT_PORT,
    host: Annotated[
        str,
        typer.Option(
            help="The address to bind. Only 127.0.0.1 (this machine) unless you ask for another; "
            "any other address serves the lab to your network, with a warning."
        ),
    ] = "127.0.0.1",
    workers: Annotated[int, typer.Option(help="Runs at once.", min=1, max=16)] = 2,
) -> None:
    """Open the scenario lab: a local web page to set a scenario, run the three readings side
    by side, step through a replicate and run the analysis tools."""
    from secdilemma.experiments.extras import require

    try:
        uvicorn = require("uvicorn", "web", "secdilemma serve", "the lab's server")
        from secdilemma.web.app import LOOPBACK, create_app

        loopback = is_loopback(host)
        if not loopback:
            console.print(
                f"warning: serving on {host}: anyone who can reach this machine on port {port} "
                "can run scenarios here; the lab has no login",
                style="bold yellow",
                highlight=False,
            )
        app = create_app(scenario, LOOPBACK if loopback else ("*",), workers=workers)
    except InputError as err:
        fail(err)
    console.print(f"the lab: http://{host}:{port}/  (Ctrl-C stops it)", highlight=False)
    uvicorn.run(app, host=host, port=port, log_level="warning")


def register(app: typer.Typer) -> None:
    app.command("serve")(serve_command)
