"""Query planning: supergraph + operation → a tree of subgraph fetches."""

from router.planner.builder import PlanningError, QueryPlanner
from router.planner.plan import Fetch, Flatten, Parallel, PlanNode, QueryPlan, Sequence
from router.planner.printer import print_plan

__all__ = [
    "Fetch",
    "Flatten",
    "Parallel",
    "PlanNode",
    "PlanningError",
    "QueryPlan",
    "QueryPlanner",
    "Sequence",
    "print_plan",
]
