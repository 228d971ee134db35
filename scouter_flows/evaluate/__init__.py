"""Agent (GenAI) evaluation: assertion, LLM-judge and trace-assertion tasks over eval records.

Names follow Scouter (`AssertionTask`, `ComparisonOperator`, `EvalRecord`, `EvalDataset`,
`EvalResults`, `load_tasks`, `AgentEvalProfile`, `AgentEvalConfig`, `AgentAlertConfig`);
Scouter's older names (`GenAIEvalDataset`, `GenAIEvalProfile`, `GenAIEvalConfig`,
`GenAIAlertConfig`) are the same classes.
"""

from scouter_flows.evaluate.agent import AgentAssertion
from scouter_flows.evaluate.comparisons import ComparisonOperator
from scouter_flows.evaluate.dataset import EvalDataset, execute_trace_assertion_tasks
from scouter_flows.evaluate.judge_cache import JudgeCache
from scouter_flows.evaluate.profile import AgentEvalConfig, AgentEvalProfile
from scouter_flows.evaluate.prompts import (
    ChatMessage,
    Message,
    Prompt,
    Provider,
    Role,
    Score,
    register_output_type,
)
from scouter_flows.evaluate.providers import JudgeSettings
from scouter_flows.evaluate.records import EvalRecord
from scouter_flows.evaluate.results import (
    Comparison,
    EvalResults,
    RecordEvalSet,
    RecordResult,
    TaskDelta,
    TaskResult,
    TaskSummary,
)
from scouter_flows.evaluate.task_files import TasksFile, load_tasks
from scouter_flows.evaluate.task_graph import (
    AgentAssertionTask,
    AssertionTask,
    EvaluationTaskType,
    LLMJudgeTask,
    TraceAssertionTask,
    execution_plan,
)
from scouter_flows.evaluate.trace_assertions import AggregationType, TraceAssertion
from scouter_flows.profiles.alerting import AgentAlertConfig
from scouter_flows.traces.filters import SpanFilter, SpanStatus

# Scouter renamed GenAI evaluation to agent evaluation: the older spellings name the same class.
GenAIEvalDataset = EvalDataset
GenAIEvalProfile = AgentEvalProfile
GenAIEvalConfig = AgentEvalConfig
GenAIAlertConfig = AgentAlertConfig

__all__ = [
    "AgentAlertConfig",
    "AgentAssertion",
    "AgentAssertionTask",
    "AgentEvalConfig",
    "AgentEvalProfile",
    "AggregationType",
    "AssertionTask",
    "ChatMessage",
    "Comparison",
    "ComparisonOperator",
    "EvalDataset",
    "EvalRecord",
    "EvalResults",
    "EvaluationTaskType",
    "GenAIAlertConfig",
    "GenAIEvalConfig",
    "GenAIEvalDataset",
    "GenAIEvalProfile",
    "JudgeCache",
    "JudgeSettings",
    "LLMJudgeTask",
    "Message",
    "Prompt",
    "Provider",
    "RecordEvalSet",
    "RecordResult",
    "Role",
    "Score",
    "SpanFilter",
    "SpanStatus",
    "TaskDelta",
    "TaskResult",
    "TaskSummary",
    "TasksFile",
    "TraceAssertion",
    "TraceAssertionTask",
    "execute_trace_assertion_tasks",
    "execution_plan",
    "load_tasks",
    "register_output_type",
]
