"""GenAI evaluation: assertion tasks over eval records, in a task graph, with pass rates.

Names follow Scouter (`AssertionTask`, `ComparisonOperator`, `EvalRecord`, `GenAIEvalDataset`,
`EvalResults`, `load_tasks`).
"""

from scouter_flows.evaluate.dataset import GenAIEvalDataset
from scouter_flows.evaluate.operators import ComparisonOperator
from scouter_flows.evaluate.records import EvalRecord
from scouter_flows.evaluate.results import Comparison, EvalResults, TaskDelta, TaskSummary
from scouter_flows.evaluate.tasks import AssertionTask, execution_plan

__all__ = [
    "AssertionTask",
    "Comparison",
    "ComparisonOperator",
    "EvalRecord",
    "EvalResults",
    "GenAIEvalDataset",
    "TaskDelta",
    "TaskSummary",
    "execution_plan",
]
