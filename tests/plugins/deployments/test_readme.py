"""The README's example runs as written against the local platform."""

from __future__ import annotations

from typing import Any


def test_the_readme_example_prints_what_it_says(run_readme_example: Any) -> None:
    printed, promised = run_readme_example("deployments")
    assert promised
    assert printed == promised
