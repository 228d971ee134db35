"""Deprecated path of `scouter_flows.evaluate.task_graph`, kept for one minor version."""

from scouter_flows.deprecation import moved_module

moved_module(__name__, "scouter_flows.evaluate.task_graph")
