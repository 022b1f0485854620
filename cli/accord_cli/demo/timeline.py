"""Rendering the demo: a readable timeline in the terminal (rich), or JSON for machines."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from accord.model import Severity
from accord_cli.demo.events import ReceivedEvent
from accord_cli.demo.proposal import Verdict
from accord_cli.demo.scenario import Entry


def render_rich(
    console: Console,
    entries: list[Entry],
    events: list[ReceivedEvent],
    trace_id: str,
    verdict: Verdict,
    seconds: float,
) -> None:
    table = Table(
        title="Customer order -> shipment confirmation, through the Accord gateway", show_lines=False
    )
    for column in ("#", "actor", "step", "call", "status", "what happened / events"):
        table.add_column(column, overflow="fold")
    for entry in entries:
        status = (
            f"[green]{entry.status}[/]" if entry.ok else f"[red]{entry.status} (want {entry.expected})[/]"
        )
        what = escape(entry.detail)
        if entry.governance:
            what = f"[bold yellow]{escape(entry.governance)}:[/] {what}"
        if entry.events:
            what += ("\n" if what else "") + "\n".join(f"[cyan]-> {escape(e)}[/]" for e in entry.events)
        table.add_row(
            str(entry.step), escape(entry.actor), escape(entry.title), escape(entry.request), status, what
        )
    console.print(table)
    traces = {e.traceparent.split("-")[1] if e.traceparent else None for e in events}
    one_trace = traces == {trace_id}
    console.print(
        f"\n[bold]{len(events)} events[/] delivered on the bus; trace ids: "
        + ("[green]one[/] " if one_trace else "[red]several[/] ")
        + f"({trace_id})"
    )
    console.print("\n[bold]Proposed change to the orders contract[/]")
    for line in verdict.description:
        console.print(f"  * {escape(line)}")
    for change in verdict.changes:
        colour = {Severity.ERROR: "red", Severity.WARN: "yellow"}.get(change.level, "blue")
        text = escape(f"{change.id}  {change.operation or ''}  {change.message}")
        console.print(f"  [{colour}]{change.level.label:<5}[/] {text}")
    if verdict.blocked:
        console.print(
            f"[bold red]accord diff blocks this merge[/] (exit 1): "
            f"{sum(1 for c in verdict.changes if c.level >= Severity.ERROR)} breaking change(s); "
            f"a compatible release would be {verdict.suggested_version or 'a new major version'}"
        )
    console.print("\n[bold]Changelog entry[/]")
    for line in verdict.changelog.strip().splitlines()[:14]:
        console.print(f"  {escape(line)}")
    console.print(f"\nDone in {seconds:.1f} s.")


def as_json(
    entries: list[Entry], events: list[ReceivedEvent], trace_id: str, verdict: Verdict, seconds: float
) -> dict[str, Any]:
    return {
        "traceId": trace_id,
        "seconds": round(seconds, 3),
        "ok": all(e.ok for e in entries) and verdict.blocked,
        "steps": [e.to_dict() for e in entries],
        "events": [e.__dict__ for e in events],
        "proposal": {
            "description": verdict.description,
            "blocked": verdict.blocked,
            "suggestedVersion": verdict.suggested_version,
            "changes": [c.to_dict() for c in verdict.changes],
            "changelog": verdict.changelog,
        },
    }
