"""Plan execution and response shaping."""

from router.executor.fetcher import SubgraphClient, SubgraphFetchError
from router.executor.run import PlanExecutor
from router.executor.shaping import ShapingResult, shape_response

__all__ = [
    "PlanExecutor",
    "ShapingResult",
    "SubgraphClient",
    "SubgraphFetchError",
    "shape_response",
]
