"""Every test-bed scenario, by name."""

from tests.federation.testbed.scenario import Scenario
from tests.federation.testbed.scenarios import demo

__all__ = ["SCENARIOS"]

SCENARIOS: dict[str, Scenario] = {s.name: s for s in (demo.SCENARIO,)}
