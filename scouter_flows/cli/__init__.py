"""The `scouter-flows` command line: the demo, profiles, evaluations and the store's schema."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from scouter_flows.errors import ConfigError, ScouterFlowsError

app = typer.Typer(help="ML and LLM monitoring for Prefect and Airflow.", no_args_is_help=True)
db_app = typer.Typer(help="Manage the results store's schema.", no_args_is_help=True)
profile_app = typer.Typer(help="Build drift profiles.", no_args_is_help=True)
eval_app = typer.Typer(help="Evaluate GenAI records against tasks.", no_args_is_help=True)
dags_app = typer.Typer(help="The example Airflow DAGs.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(profile_app, name="profile")
app.add_typer(eval_app, name="eval")
app.add_typer(dags_app, name="dags")

# Messages carry URLs and paths: never break them at the terminal width (tables still fit it).
console = Console(soft_wrap=True)
err_console = Console(stderr=True, soft_wrap=True)
UrlOption = Annotated[
    str | None,
    typer.Option("--url", help="Store URL; default $SCOUTER_DATABASE_URL or the embedded SQLite."),
]


DEBUG_ENV = "SCOUTER_FLOWS_DEBUG"


def main() -> None:
    """Console-script entry point: usage errors and scouter-flows errors exit 2 with their
    message, anything else exits 1 with one line; a traceback only with `--debug` (or
    `$SCOUTER_FLOWS_DEBUG=1`)."""
    debug = "--debug" in sys.argv[1:] or os.environ.get(DEBUG_ENV, "") not in ("", "0")
    args = [a for a in sys.argv[1:] if a != "--debug"]
    try:
        code = app(args=args, prog_name="scouter-flows", standalone_mode=False)
    except ScouterFlowsError as exc:
        if debug:
            raise
        err(str(exc))
        raise SystemExit(2) from None
    except Exception as exc:
        # Click's exceptions (typer's own copy of them in recent releases), told by shape.
        kind = type(exc).__name__
        if kind == "Exit":
            raise SystemExit(getattr(exc, "exit_code", 0)) from None
        if kind == "Abort":
            err_console.print("aborted")
            raise SystemExit(1) from None
        if hasattr(exc, "show") and hasattr(exc, "exit_code"):  # a usage error
            exc.show()
            raise SystemExit(exc.exit_code) from None
        if debug:
            raise
        err(f"{kind}: {exc} (run again with --debug for the traceback)")
        raise SystemExit(1) from None
    if isinstance(code, int) and code:  # typer.Exit(code) comes back as the return value
        raise SystemExit(code)


def err(message: str) -> None:
    """An error line; the message is printed as it is (`[prefect]` in a hint stays)."""
    console.print(f"[bold red]error:[/] {escape(message)}")


def _show_version(value: bool) -> None:
    if value:
        from scouter_flows import __version__

        console.print(f"scouter-flows {__version__}")
        raise typer.Exit()


@app.callback()
def _options(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_show_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
    debug: Annotated[
        bool, typer.Option("--debug", help="Show the traceback of an unexpected error.")
    ] = False,
) -> None:
    """ML and LLM monitoring for Prefect and Airflow."""


@app.command()
def demo(
    directory: Annotated[
        Path | None, typer.Option("--dir", help="Where to write the sample data (default: temp).")
    ] = None,
    store_url: Annotated[
        str | None,
        typer.Option("--url", help="Store URL; default a SQLite file in the demo's directory."),
    ] = None,
) -> None:
    """Generate sample logs, build a PSI profile and run the Prefect drift flow on the last day."""
    root = (directory or Path(tempfile.mkdtemp(prefix="scouter-flows-demo-"))).resolve()
    _isolate_prefect(root / "prefect")
    try:
        from scouter_flows.flows import drift_monitor_flow
    except ImportError as exc:
        raise ConfigError(
            f"the demo runs a Prefect flow: pip install 'scouter-flows[prefect]' ({exc})"
        ) from None
    from scouter_flows.drift.drifter import Drifter
    from scouter_flows.profiles.psi import PsiDriftConfig
    from scouter_flows.sources.sample import generate_sample_data
    from scouter_flows.store.store import Store

    # The demo keeps its store next to its data, apart from the store your own runs use.
    store_url = store_url or f"sqlite:///{root / 'store.db'}"
    data = generate_sample_data(root)
    # Holm over the profile's features: 5 % is the chance of any false alarm in a clean window.
    config = PsiDriftConfig(space="credit", name="default-risk", version="1.0.0", correction="holm")
    profile = Drifter().create_drift_profile(data.baseline, config)
    profile_path = profile.save_to_json(root / "profile.json")
    start, end = data.day_window(data.days - 1)
    summary = drift_monitor_flow(
        profile=str(profile_path),
        source_path=data.logs_glob,
        window_start=start,
        window_end=end,
        store_url=store_url,
        report_dir=str(root / "reports"),
    )
    with Store(store_url) as store:
        results = store.drift_results(summary["run_id"])
        location = repr(store)
    print_results(results.to_dicts(), title=f"PSI drift of {config.key} in [{start}, {end})")
    sent = (summary.get("dispatch") or {}).get("sent", 0)
    console.print(
        f"run {summary['run_id']} stored in {location}: {len(summary['drifted'])} of "
        f"{summary['features']} features drifted, {sent} alerts sent (an alert already sent "
        "for this window is not sent again)"
    )
    k = summary["features"]
    console.print(
        "alpha 0.05 for the profile: the chance that a window without drift raises any alert "
        f"(Holm's correction over its {k} features; without it, 0.05 applies to each feature "
        f"and {k} features raise a false alarm in {1 - 0.95**k:.0%} of clean windows)"
    )
    console.print(f"data:    {data.baseline} (baseline), {data.logs_glob} (logs, one day each)")
    console.print(f"profile: {profile_path}")
    console.print(f"store:   {store_url}")
    console.print("next:")
    console.print(
        "  scouter-flows profile create BASELINE.parquet --space SPACE --name NAME "
        "--correction holm --output profile.json   # a profile of your own data"
    )
    console.print(
        "  scouter-flows dags copy ~/airflow/dags   # the example DAGs; or README.md#prefect "
        "for drift_monitor_flow over your logs"
    )
    report = summary.get("report") or f"not written: {summary.get('report_error')}"
    console.print(f"report:  {report}   # the run's charts: open it in a browser")


def _isolate_prefect(home: Path) -> None:
    """Unless a Prefect server or home is chosen, the demo's ephemeral server keeps its database
    and settings in `home`, and Prefect's memo file with them (it defaults to ~/.prefect even
    when PREFECT_HOME is elsewhere, and warns when that folder is missing)."""
    if "PREFECT_API_URL" not in os.environ:
        os.environ.setdefault("PREFECT_HOME", str(home))
    prefect_home = os.environ.get("PREFECT_HOME")
    if prefect_home:
        Path(prefect_home).mkdir(parents=True, exist_ok=True)
        os.environ.setdefault(
            "PREFECT_MEMO_STORE_PATH", str(Path(prefect_home) / "memo_store.toml")
        )


def print_results(rows: list[dict[str, Any]], *, title: str) -> None:
    """Print per-feature drift results as a table: feature, PSI, threshold, drifted."""
    table = Table(title=title)
    table.add_column("feature")
    table.add_column("PSI", justify="right")
    table.add_column("threshold", justify="right")
    table.add_column("drifted")
    for row in rows:
        value, threshold = row["value"], row["threshold"]
        table.add_row(
            row["feature"],
            "-" if value is None else f"{value:.4g}",
            "-" if threshold is None else f"{threshold:.4g}",
            {"drift": "[bold red]yes[/]", "ok": "no"}.get(row["status"], row["status"]),
        )
    console.print(table)


PROFILE_KINDS = ("psi", "spc", "custom", "data")


@profile_app.command("create")
def profile_create(
    data: Annotated[
        str | None,
        typer.Argument(help="Baseline file or glob (parquet, CSV, NDJSON); not for --kind custom."),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Where to write the JSON.")
    ] = None,
    kind: Annotated[
        str, typer.Option("--kind", help="psi, spc, custom (from --metrics) or data (a summary).")
    ] = "psi",
    space: Annotated[str | None, typer.Option(help="Profile space.")] = None,
    name: Annotated[str | None, typer.Option(help="Profile name.")] = None,
    version: Annotated[str, typer.Option(help="Profile version.")] = "0.1.0",
    correction: Annotated[
        str,
        typer.Option(
            help="PSI: none (alpha per feature), holm (alpha for any alarm of the profile) or bh."
        ),
    ] = "none",
    feature: Annotated[
        list[str] | None, typer.Option("--feature", help="A feature to monitor (repeat).")
    ] = None,
    categorical: Annotated[
        list[str] | None, typer.Option("--categorical", help="PSI: a categorical feature (repeat).")
    ] = None,
    sample_size: Annotated[
        int | None, typer.Option("--sample-size", min=2, help="SPC: rows per subgroup.")
    ] = None,
    metrics: Annotated[
        Path | None,
        typer.Option(
            "--metrics",
            help="Custom: a YAML or JSON list of metrics (name, "
            "baseline_value, alert_threshold, delta).",
        ),
    ] = None,
    bins: Annotated[int, typer.Option("--bins", min=2, help="Data: histogram bins.")] = 20,
    correlations: Annotated[
        bool, typer.Option("--correlations", help="Data: Pearson correlations too.")
    ] = False,
    schedule: Annotated[
        str | None,
        typer.Option(
            "--schedule", help="When to monitor it: a 5-field cron in UTC (default daily)."
        ),
    ] = None,
) -> None:
    """Build a profile (PSI, SPC, custom metrics, or a data summary) and write it as JSON."""
    from scouter_flows.cli.profile_kinds import build_profile

    if kind not in PROFILE_KINDS:
        raise ConfigError(f"--kind must be one of {', '.join(PROFILE_KINDS)}, got {kind!r}")
    if output is None:
        raise ConfigError("--output is required: where to write the profile's JSON")
    built = build_profile(
        kind,
        data,
        space=space,
        name=name,
        version=version,
        correction=correction,
        features=feature or [],
        categorical=categorical or [],
        sample_size=sample_size,
        metrics=metrics,
        bins=bins,
        correlations=correlations,
        schedule=schedule,
    )
    built.save_to_json(output)
    console.print(f"wrote {output}")


@profile_app.command("register")
def profile_register(
    path: Annotated[Path, typer.Argument(help="A profile JSON file (drift or GenAI eval).")],
    url: UrlOption = None,
) -> None:
    """Register a profile in the store, so `serve` and the DAG factory monitor it."""
    from scouter_flows.tasks.drift import load_profile

    ref = load_profile(str(path), url)
    console.print(f"registered {ref.key} ({ref.drift_type}) as profile {ref.profile_id}")


@app.command()
def sample(
    directory: Annotated[Path, typer.Option("--dir", help="Where to write the data.")],
    days: Annotated[int, typer.Option("--days", min=1, help="Days of logs, up to today.")] = 7,
) -> None:
    """Write sample data: a baseline and a parquet file of logs per day, the last day shifted."""
    from datetime import UTC, datetime, timedelta

    from scouter_flows.sources.sample import generate_sample_data

    start = datetime.now(UTC) - timedelta(days=days - 1)
    data = generate_sample_data(directory, days=days, start=start)
    console.print(f"baseline: {data.baseline}")
    console.print(f"logs: {data.logs_glob} ({days} days, the last one shifted)")


@dags_app.command("copy")
def dags_copy(
    directory: Annotated[Path, typer.Argument(help="Your Airflow DAGs folder.")],
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Replace files of the same name.")
    ] = False,
) -> None:
    """Copy the example DAGs (drift, batch scoring, evaluation, retention, ...) into a folder."""
    from scouter_flows.example_dags import copy_example_dags

    for path in copy_example_dags(directory, overwrite=overwrite):
        console.print(f"wrote {path}")
    console.print("each file's docstring lists the variables and connections it reads")


@db_app.command("upgrade")
def db_upgrade(url: UrlOption = None) -> None:
    """Create or migrate the store's tables to this version's schema."""
    from scouter_flows.store.store import Store

    with Store(url, auto_upgrade=True) as store:
        console.print(f"{store!r} is at schema revision {store.revision()}")


@db_app.command("current")
def db_current(url: UrlOption = None) -> None:
    """Show the store's schema revision."""
    from scouter_flows.store.store import Store

    with Store(url, auto_upgrade=False) as store:
        console.print(f"{store!r} is at schema revision {store.revision()}")


@db_app.command("prune")
def db_prune(
    older_than: Annotated[
        str, typer.Option("--older-than", help="Age, for example 90d, 12h or 2w.")
    ],
    url: UrlOption = None,
) -> None:
    """Delete runs, eval runs, spans and inference logs older than an age."""
    from scouter_flows.tasks.retention import prune_results

    deleted = prune_results(older_than, url)
    console.print(
        "deleted "
        + ", ".join(f"{count} {kind.replace('_', ' ')}" for kind, count in deleted.items())
    )


@db_app.command("check")
def db_check(
    repair: Annotated[
        bool, typer.Option("--repair", help="Delete the orphaned rows it finds.")
    ] = False,
    url: UrlOption = None,
) -> None:
    """Count rows whose run is gone (orphans); exit 1 if any, unless --repair removed them."""
    from scouter_flows.store.store import Store

    with Store(url) as store:
        found = store.orphans()
        console.print(
            "orphaned rows: "
            + ", ".join(f"{count} {table.replace('_', ' ')}" for table, count in found.items())
        )
        if not any(found.values()):
            return
        if not repair:
            console.print("run `scouter-flows db check --repair` to delete them")
            raise typer.Exit(code=1)
        removed = store.remove_orphans()
        console.print(f"removed {sum(removed.values())} orphaned rows")


@eval_app.command("run")
def eval_run(
    tasks: Annotated[Path, typer.Option("--tasks", help="Task file (YAML or JSON).")],
    records: Annotated[
        Path, typer.Option("--records", help="Eval records (NDJSON, JSON, parquet or CSV).")
    ],
    baseline: Annotated[
        int | None, typer.Option("--baseline", help="A stored eval run id to compare with.")
    ] = None,
    threshold: Annotated[
        float, typer.Option("--threshold", help="Pass-rate drop that counts as a regression.")
    ] = 0.05,
    show_tasks: Annotated[
        bool, typer.Option("--show-tasks", help="List every record x task result.")
    ] = False,
    save: Annotated[bool, typer.Option("--save/--no-save", help="Store the run.")] = True,
    space: Annotated[str, typer.Option("--space", help="Profile space.")] = "offline",
    name: Annotated[
        str | None, typer.Option("--name", help="Profile name (default: the task file's stem).")
    ] = None,
    url: UrlOption = None,
) -> None:
    """Evaluate records against tasks, print the table, and exit 1 if the pass rate regresses
    against --baseline."""
    from scouter_flows.tasks.evaluate import run_offline_eval

    outcome = run_offline_eval(
        tasks,
        records,
        store_url=url,
        save=save,
        space=space,
        name=name,
        baseline_run_id=baseline,
        threshold=threshold,
    )
    outcome.results.print_table(console=console)
    if show_tasks:
        outcome.results.print_table(show_tasks=True, console=console)
    if outcome.written is not None:
        console.print(f"stored as eval run {outcome.written.run_id}")
    if outcome.comparison is not None:
        console.print(outcome.comparison.as_table())
        for record_id, task_id in outcome.comparison.new_failures[:20]:
            console.print(f"  new failure: record {record_id}, task {task_id}")
        if outcome.comparison.regressed:
            console.print(f"[bold red]regressed[/] against eval run {baseline}")
            raise typer.Exit(code=1)


@app.command()
def serve(
    source: Annotated[
        str,
        typer.Option(
            "--source",
            help="Where each profile's logs are: a template with {space}, {name}, {version}, "
            "{drift_type}.",
        ),
    ],
    records: Annotated[
        str | None,
        typer.Option("--records", help="Where each GenAI eval profile's records are."),
    ] = None,
    store_block: Annotated[
        str | None, typer.Option("--store-block", help="A saved ScouterStore block.")
    ] = None,
    slack_block: Annotated[
        str | None, typer.Option("--slack-block", help="A saved ScouterSlack block.")
    ] = None,
    opsgenie_block: Annotated[
        str | None, typer.Option("--opsgenie-block", help="A saved ScouterOpsGenie block.")
    ] = None,
    paused: Annotated[bool, typer.Option("--paused", help="Create the schedules paused.")] = False,
    url: UrlOption = None,
) -> None:
    """Serve one Prefect deployment per active profile, each on its profile's cron."""
    try:
        from scouter_flows.flows.serve import serve_monitors
    except ImportError as exc:
        raise ConfigError(
            f"serving deployments needs Prefect: pip install 'scouter-flows[prefect]' ({exc})"
        ) from None
    serve_monitors(
        sources=source,
        records=records,
        store_url=url,
        store_block=store_block,
        slack_block=slack_block,
        opsgenie_block=opsgenie_block,
        paused=paused,
    )


# The commands that read the store register themselves on `app`.
from scouter_flows.cli import reads  # noqa: E402, F401
