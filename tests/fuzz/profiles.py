"""Hypothesis profiles of the fuzz suite, and the summary of cases it prints at the end of a run.

Profiles: ``ci`` (the default) draws 25 cases per operation, derandomized so every CI run sends
the same requests; ``long`` draws 170 per operation (over 10,000 in all) from the seed that
``./run fuzz`` prints. ``CHIME_FUZZ_PROFILE`` picks one (a conftest below the rootdir loads too
late for hypothesis's own ``--hypothesis-profile``). ``tests/conftest.py`` imports the summary
hook, so it runs in the controlling process under xdist too, where the tests' own conftest is
never loaded.
"""

from __future__ import annotations

import os
from typing import Any

from hypothesis import HealthCheck, settings

_COMMON = {
    "deadline": None,
    "database": None,
    "suppress_health_check": [
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.function_scoped_fixture,  # one populated tenant per operation, on purpose
    ],
}
settings.register_profile("ci", max_examples=25, derandomize=True, **_COMMON)
settings.register_profile("long", max_examples=170, **_COMMON)
PROFILE = os.environ.get("CHIME_FUZZ_PROFILE", "ci")
settings.load_profile(PROFILE)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    cases, errors = 0, {}
    for reports in terminalreporter.stats.values():
        for report in reports:
            for name, value in getattr(report, "user_properties", ()):
                if name == "fuzz_cases" and getattr(report, "when", "") == "teardown":
                    cases += value
                elif name == "fuzz_errors" and getattr(report, "when", "") == "teardown":
                    for error, count in value.items():
                        errors[error] = errors.get(error, 0) + count
    if cases:
        seed = terminalreporter.config.getoption("hypothesis_seed", None)
        drawn = f"seed {seed}" if seed is not None else "derandomized: the same cases every run"
        terminalreporter.write_sep("-", f"fuzz summary (hypothesis profile {PROFILE}, {drawn})")
        terminalreporter.write_line(
            f"cases: {cases}, answered with an error: {sum(errors.values())}"
        )
        for error, count in sorted(errors.items(), key=lambda item: -item[1]):
            terminalreporter.write_line(f"  {error}: {count}")
