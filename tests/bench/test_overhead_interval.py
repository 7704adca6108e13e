"""Benchmark 1(a)'s overhead estimate: a difference of medians over paired requests, with a
bootstrap interval that is exact when the difference is and widens with the noise."""

from __future__ import annotations

import random

from bench.real_gateways import overhead_interval


def test_a_constant_overhead_is_found_exactly() -> None:
    rng = random.Random(3)
    pairs = [(path + 0.8, path) for path in (rng.uniform(10, 30) for _ in range(300))]
    point, low, high = overhead_interval(pairs, resamples=300)
    # Each pair differs by the same amount: every resample's medians do too.
    assert abs(point - 0.8) < 1e-9
    assert abs(low - 0.8) < 1e-9
    assert abs(high - 0.8) < 1e-9


def test_noise_widens_the_interval_around_the_true_overhead() -> None:
    rng = random.Random(5)
    quiet = [(20 + 0.5 + rng.gauss(0, 0.2), 20 + rng.gauss(0, 0.2)) for _ in range(400)]
    noisy = [(20 + 0.5 + rng.gauss(0, 6), 20 + rng.gauss(0, 6)) for _ in range(400)]
    _, quiet_low, quiet_high = overhead_interval(quiet, resamples=400)
    noisy_point, noisy_low, noisy_high = overhead_interval(noisy, resamples=400)
    assert quiet_low < 0.5 < quiet_high
    assert noisy_low < noisy_point < noisy_high
    assert noisy_high - noisy_low > 5 * (quiet_high - quiet_low)
