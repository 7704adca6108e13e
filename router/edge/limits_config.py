"""Operation limits enforced before planning: tokens, depth, aliases, root fields, cost."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["PRODUCTION_MAX_COST", "LimitsConfig"]

PRODUCTION_MAX_COST = 50_000


@dataclass(frozen=True, slots=True)
class LimitsConfig:
    """Safe defaults well above what our own clients send; 0 turns a limit off."""

    max_tokens: int = 15_000
    max_depth: int = 15
    max_aliases: int = 30
    max_root_fields: int = 20
    #: Fields selected once every fragment spread is expanded in place: what planning walks.
    #: Fragments spreading the next one twice double it per level (2^40 from a 2 kB document).
    max_expanded_fields: int = 5_000
    #: Demand-control estimate (Apollo's: objects cost 1, leaves 0, mutations 10, lists times
    #: their assumed size; `@cost`/`@listSize` in the supergraph override). Off by default in
    #: the library and CLI (the differential tests against Apollo send generated deep list
    #: queries); deployments should set `PRODUCTION_MAX_COST` (`--max-cost` / `MAX_COST`).
    max_cost: int = 0
    #: Assumed list size when neither `@listSize` nor a slicing argument (`first`/`last`/`limit`)
    #: tells it.
    default_list_size: int = 20
    #: Circuit breaker per subgraph: this many consecutive failures open it (0: off) for
    #: `breaker_cooldown` seconds, during which requests to it fail at once.
    #: Off by default: while open, errors differ from Apollo Gateway's (differential tests).
    breaker_threshold: int = 0
    breaker_cooldown: float = 10.0
