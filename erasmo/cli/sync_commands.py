"""Sync commands: `erasmo serve` exposes this install's event log, `erasmo sync URL` syncs with one.

Flask, waitress and the sync package are imported only when these commands run.
"""

from __future__ import annotations

import signal
import sys
from pathlib import Path
from typing import Any

import click

from erasmo.cli.context import Context, pass_ctx

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765


def _sync_parts() -> Any:
    try:
        import erasmo.sync.client as client
        import erasmo.sync.serving as serving
        import erasmo.sync.token as token
    except ImportError as error:
        raise click.ClickException(
            f"The sync server needs Flask, waitress and cheroot, which come with erasmo ({error}). "
            "Reinstall erasmo: pipx reinstall erasmo, or pip install --force-reinstall erasmo."
        ) from None
    return client, serving, token


@click.command()
@click.option("--host", default=DEFAULT_HOST, show_default=True, help="Address to listen on.")
@click.option(
    "--port", type=click.IntRange(0, 65535), default=DEFAULT_PORT, show_default=True, help="Port."
)
@click.option("--show-token", is_flag=True, help="Print the sync token and exit.")
@click.option(
    "--rotate-token", is_flag=True, help="Replace the token first; peers need the new one."
)
@click.option(
    "--cert",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="TLS certificate (PEM); needed with --key off loopback.",
)
@click.option(
    "--key",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Private key of the certificate (PEM).",
)
@click.option(
    "--insecure", is_flag=True, help="Allow plain HTTP on a non-loopback address (not advised)."
)
@click.option(
    "--allow-host",
    multiple=True,
    metavar="NAME",
    help="Also answer requests addressed to NAME (the name peers use for this machine).",
)
@pass_ctx
def serve(
    c: Context,
    host: str,
    port: int,
    show_token: bool,
    rotate_token: bool,
    cert: Path | None,
    key: Path | None,
    insecure: bool,
    allow_host: tuple[str, ...],
) -> None:
    """Serve this install's event log so other installs can sync with it (Ctrl-C stops)."""
    from erasmo.config import resolve_data_dir

    client, serving, tokens = _sync_parts()
    data_dir = resolve_data_dir(c.data_dir)
    if rotate_token:
        token = tokens.rotate_token(data_dir)
        click.echo("Made a new sync token; peers holding the old one are refused from now on.")
    else:
        token = tokens.load_or_create_token(data_dir)
    if show_token:
        click.echo(token)
        return
    if not serving.is_loopback(host) and cert is None:
        click.echo(
            f"WARNING: serving without TLS on {host}: anyone on the network can read the "
            "event log and the token in transit.",
            err=True,
        )
    server = c.door.sync_server(
        token=token,
        host=host,
        port=port,
        cert=cert,
        key=key,
        insecure=insecure,
        name=client.default_label(),
        extra_hosts=allow_host,
    )
    signal.signal(signal.SIGTERM, lambda *_: server.stop())
    click.echo(f"Serving the event log on {server.url} (Ctrl-C stops).")
    click.echo(f"Token: {token}")
    click.echo(f"On another install: erasmo sync {server.url} --token {token}")
    server.serve_forever()
    click.echo("Stopped.")


@click.command("sync")
@click.argument("url")
@click.option(
    "--token",
    envvar="ERASMO_SYNC_TOKEN",
    help="The server's token (erasmo serve --show-token there); default $ERASMO_SYNC_TOKEN.",
)
@click.option("--pull-only", is_flag=True, help="Only take the server's new events.")
@click.option("--push-only", is_flag=True, help="Only send this install's new events.")
@click.option(
    "--cacert",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Trust this certificate (a server's self-signed one).",
)
@pass_ctx
def sync_cmd(
    c: Context,
    url: str,
    token: str | None,
    pull_only: bool,
    push_only: bool,
    cacert: Path | None,
) -> None:
    """Sync with the erasmo server at URL: pull what it has, push what it lacks."""
    if pull_only and push_only:
        raise click.UsageError("Give --pull-only or --push-only, not both.")
    if not token and not sys.stdin.isatty():  # piped in: read it, with no prompt to hide
        token = sys.stdin.readline().strip()
        if not token:
            raise click.UsageError("Give the server's token with --token (or on standard input).")
    if not token:
        token = click.prompt("Token of the server", hide_input=True)
    syncer = c.door.sync_client(url, token or "", cafile=cacert)
    bars: dict[str, Any] = {}

    def progress(phase: str, done: int, total: int) -> None:
        bar = bars.get(phase)
        if bar is None:
            label = "Pulling" if phase == "pull" else "Pushing"
            bar = bars[phase] = click.progressbar(
                length=max(total, 1), label=label, file=sys.stderr, show_pos=True
            )
            bar.__enter__()
        if total > (bar.length or 0):
            bar.length = total
        bar.update(max(0, done - bar.pos))

    try:
        summary = syncer.sync(pull=not push_only, push=not pull_only, progress=progress)
    finally:
        for bar in bars.values():
            bar.__exit__(None, None, None)
    pulled = f"{summary.pulled} new event{'' if summary.pulled == 1 else 's'}"
    click.echo(
        f"Synced with {syncer.peer.url}: pulled {pulled}, pushed {summary.pushed} "
        f"({summary.held} already held)."
    )
    for conflict in summary.conflicts:
        click.echo(
            f"Conflict: both installs changed {conflict.name!r} since they last synced. "
            f"{conflict.name!r} now follows the server; your version is kept as "
            f"{conflict.copy_name!r}."
        )
    for old, new in summary.renamed:
        click.echo(f"Renamed {old!r} to {new!r}: the other install has a portfolio named so.")
