"""The commands that read the store: profiles, runs, alerts and reports."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from scouter_flows.cli import UrlOption, app, console
from scouter_flows.errors import ConfigError, StoreError
from scouter_flows.window import ensure_utc

profiles_app = typer.Typer(help="Registered profiles.", no_args_is_help=True)
alerts_app = typer.Typer(help="Alerts in the outbox.", no_args_is_help=True)
app.add_typer(profiles_app, name="profiles")
app.add_typer(alerts_app, name="alerts")

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
STATUS_STYLES = {"drift": "bold red", "ok": "green", "no_data": "yellow", "abandoned": "bold red"}


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, datetime):
        return f"{value:%Y-%m-%d %H:%M}"
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, list):
        return ", ".join(map(str, value))
    text = str(value)
    style = STATUS_STYLES.get(text)
    return f"[{style}]{text}[/]" if style else text


def print_rows(
    rows: list[dict[str, Any]], columns: list[str], *, title: str, as_json: bool
) -> None:
    """`rows` as a rich table of `columns`, or (as_json) as a JSON list on stdout."""
    if as_json:
        console.print_json(json.dumps(rows, default=str))
        return
    table = Table(title=title)
    for column in columns:
        table.add_column(column.replace("_", " "))
    for row in rows:
        table.add_row(*(_cell(row.get(c)) for c in columns))
    console.print(table)
    if not rows:
        console.print("(none)")


def _split_key(key: str) -> tuple[str, str, str]:
    parts = key.split("/")
    if len(parts) != 3 or not all(parts):
        raise ConfigError(f"a profile is named space/name/version, got {key!r}")
    return parts[0], parts[1], parts[2]


@profiles_app.command("list")
def profiles_list(
    inactive: Annotated[
        bool, typer.Option("--all", help="Include profiles that are not active.")
    ] = False,
    as_json: JsonOption = False,
    url: UrlOption = None,
) -> None:
    """List the registered profiles."""
    from scouter_flows.store.store import Store

    with Store(url) as store:
        rows = store.profiles(active_only=not inactive).to_dicts()
    columns = ["profile_id", "space", "name", "version", "drift_type", "active", "created_at"]
    print_rows(rows, columns, title="Profiles", as_json=as_json)


@profiles_app.command("show")
def profiles_show(
    key: Annotated[str, typer.Argument(help="The profile, as space/name/version.")],
    drift_type: Annotated[
        str | None, typer.Option("--type", help="psi, spc, custom or genai, when several share it.")
    ] = None,
    as_json: JsonOption = False,
    url: UrlOption = None,
) -> None:
    """Show one profile: its settings, features (or metrics, or tasks) and latest runs."""
    from scouter_flows.store.store import Store

    space, name, version = _split_key(key)
    with Store(url) as store:
        profile_id, profile = store.get_profile(space, name, version, drift_type)
        history = [] if profile.drift_type == "genai" else store.run_history(profile_id, limit=5)
    if as_json:
        console.print_json(profile.model_dump_json())
        return
    config = profile.config
    console.print(f"[bold]{key}[/] ({profile.drift_type}), profile {profile_id}")
    for field in ("schedule", "sample_size", "correction", "threshold", "method"):
        value = getattr(config, field, None)
        if value is None and hasattr(config, "alert_config"):
            value = getattr(config.alert_config, field, None)
        if value is not None:
            console.print(f"  {field.replace('_', ' ')}: {value}")
    members = (
        getattr(profile, "features", None)
        or getattr(profile, "metrics", None)
        or {t.id: t for t in getattr(profile, "tasks", [])}
    )
    console.print(f"  {len(members)} monitored: {', '.join(sorted(members))}")
    if history:
        print_rows(
            history,
            ["run_id", "window_end", "status", "rows", "drifted"],
            title="Latest runs",
            as_json=False,
        )


@app.command()
def runs(
    profile: Annotated[
        str | None,
        typer.Option("--profile", help="One profile's history (space/name/version)."),
    ] = None,
    drift_type: Annotated[
        str | None, typer.Option("--type", help="psi, spc or custom, when several share it.")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="Runs to show.")] = 20,
    evals: Annotated[bool, typer.Option("--eval", help="Eval runs instead of drift runs.")] = False,
    as_json: JsonOption = False,
    url: UrlOption = None,
) -> None:
    """The latest run of every profile, or one profile's history (newest first)."""
    from scouter_flows.store.store import Store

    with Store(url) as store:
        if evals:
            space, name = (None, None) if profile is None else _split_key(profile)[:2]
            rows = store.eval_run_list(space, name, limit=limit)
            columns = ["run_id", "space", "name", "version", "window_end", "status", "records"]
            columns += ["evaluated", "pass_rate"]
            title = "Eval runs"
        elif profile is None:
            rows = store.latest_runs().to_dicts()
            columns = ["run_id", "space", "name", "version", "drift_type", "window_end"]
            columns += ["status", "rows_observed"]
            title = "Latest run of each profile"
        else:
            space, name, version = _split_key(profile)
            profile_id, _ = store.get_profile(space, name, version, drift_type)
            rows = store.run_history(profile_id, limit)
            columns = ["run_id", "window_start", "window_end", "status", "rows", "drifted"]
            title = f"Runs of {profile}"
    print_rows(rows, columns, title=title, as_json=as_json)


@alerts_app.command("open")
def alerts_open(as_json: JsonOption = False, url: UrlOption = None) -> None:
    """Alerts not delivered yet: pending, failed (to be retried) and abandoned."""
    _print_alerts(url, None, "Open alerts", as_json)


@alerts_app.command("abandoned")
def alerts_abandoned(as_json: JsonOption = False, url: UrlOption = None) -> None:
    """Alerts given up on after their attempts ran out (`alerts resolve` clears them)."""
    _print_alerts(url, "abandoned", "Abandoned alerts", as_json)


def _print_alerts(url: str | None, status: str | None, title: str, as_json: bool) -> None:
    from scouter_flows.store.store import Store

    with Store(url) as store:
        frame = store.open_alerts()
    if status is not None:
        frame = frame.filter(frame["status"] == status)
    columns = ["alert_id", "space", "name", "version", "destination", "entity", "kind"]
    columns += ["status", "attempts", "last_error", "created_at"]
    print_rows(frame.to_dicts(), columns, title=title, as_json=as_json)


@alerts_app.command("resolve")
def alerts_resolve(
    alert_ids: Annotated[list[int], typer.Argument(help="Alert ids (from `alerts open`).")],
    note: Annotated[
        str, typer.Option("--note", help="Why, kept with the alert.")
    ] = "resolved by hand",
    url: UrlOption = None,
) -> None:
    """Mark undelivered alerts as handled: they are not sent (a re-run of their window judges
    it afresh)."""
    from scouter_flows.store.store import Store

    with Store(url) as store:
        resolved = store.resolve_alerts(alert_ids, note)
    missing = sorted(set(alert_ids) - set(resolved))
    if resolved:
        console.print(f"resolved alert(s) {', '.join(map(str, resolved))}")
    if missing:
        raise StoreError(
            f"no undelivered alert has id {', '.join(map(str, missing))}: "
            "`scouter-flows alerts open` lists them"
        )


@app.command()
def report(
    run_id: Annotated[
        int | None, typer.Argument(help="A drift run id (or, with --eval, an eval run's).")
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="The HTML file to write.")
    ] = None,
    evals: Annotated[bool, typer.Option("--eval", help="RUN_ID is an eval run.")] = False,
    baseline: Annotated[
        int | None,
        typer.Option("--baseline", help="Eval run to compare with (default: the window before)."),
    ] = None,
    profile: Annotated[
        str | None,
        typer.Option("--profile", help="A profile (space/name/version): its run or its history."),
    ] = None,
    window: Annotated[
        str | None,
        typer.Option("--window", help="With --profile: the run whose window ends then (ISO time)."),
    ] = None,
    history: Annotated[
        int | None,
        typer.Option("--history", min=1, help="With --profile: its last N windows, charted."),
    ] = None,
    drift_type: Annotated[
        str | None, typer.Option("--type", help="psi, spc or custom, when several share it.")
    ] = None,
    url: UrlOption = None,
) -> None:
    """Write a run's HTML report (or a profile's history) and print where it is."""
    from scouter_flows.reports import (
        history_report,
        stored_eval_report,
        stored_run_report,
    )
    from scouter_flows.store.store import Store

    if (run_id is None) == (profile is None):
        raise ConfigError("give a RUN_ID or --profile (with --window or --history)")
    with Store(url) as store:
        if profile is not None:
            space, name, version = _split_key(profile)
            if history is not None or window is None:
                built = history_report(
                    store, space, name, version, drift_type=drift_type, limit=history or 20
                )
                default = f"history-{space}-{name}-{version}.html"
            else:
                at = ensure_utc(window, field="--window")
                run_id = store.run_at(space, name, version, at, drift_type)
                built = stored_run_report(store, run_id)
                default = f"run-{run_id}.html"
        elif evals:
            assert run_id is not None
            built = stored_eval_report(store, run_id, baseline_run_id=baseline)
            default = f"eval-run-{run_id}.html"
        else:
            assert run_id is not None
            built = stored_run_report(store, run_id)
            default = f"run-{run_id}.html"
    written = built.write(output or Path(default))
    console.print(f"wrote {written.resolve()}")
