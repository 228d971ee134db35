"""Airflow provider metadata: what Airflow's providers manager lists for scouter-flows.

Registered through the `apache_airflow_provider` entry point, so the UI offers a "Scouter store"
connection type and lists the hooks and operators. Importing this module imports no Airflow code.
"""

from __future__ import annotations

from typing import Any


def get_provider_info() -> dict[str, Any]:
    """The provider description Airflow validates against its provider schema."""
    from scouter_flows import __version__

    return {
        "package-name": "scouter-flows",
        "name": "Scouter Flows",
        "description": (
            "ML and LLM monitoring: drift, data profiles and GenAI evaluation as operators, "
            "results in Postgres, alerts to Slack, OpsGenie or the log."
        ),
        "versions": [__version__],
        "integrations": [
            {
                "integration-name": "Scouter Flows",
                "external-doc-url": "https://github.com/scouter-flows/scouter-flows",
                "tags": ["software"],
            }
        ],
        "operators": [
            {
                "integration-name": "Scouter Flows",
                "python-modules": [
                    "scouter_flows.operators.assets",
                    "scouter_flows.operators.batch",
                    "scouter_flows.operators.drift",
                    "scouter_flows.operators.monitors",
                    "scouter_flows.operators.partitions",
                    "scouter_flows.operators.retention",
                ],
            }
        ],
        "hooks": [
            {
                "integration-name": "Scouter Flows",
                "python-modules": ["scouter_flows.operators.hooks"],
            }
        ],
        "extra-links": [
            "scouter_flows.operators.links.DriftReportLink",
            "scouter_flows.operators.links.EvalReportLink",
        ],
        "connection-types": [
            {
                "connection-type": "scouter_store",
                "hook-class-name": "scouter_flows.operators.hooks.ScouterStoreHook",
                "hook-name": "Scouter store",
            }
        ],
    }
