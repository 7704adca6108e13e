"""Every test-bed scenario, by name."""

from tests.federation.testbed.scenario import Scenario
from tests.federation.testbed.scenarios import abstract, demo, errors, keys

__all__ = ["SCENARIOS"]

SCENARIOS: dict[str, Scenario] = {
    s.name: s for s in (demo.SCENARIO, keys.SCENARIO, abstract.SCENARIO, errors.SCENARIO)
}
