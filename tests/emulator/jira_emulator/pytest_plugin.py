"""Pytest fixtures for the emulator.

Use from another test directory (after putting ``tests/emulator`` on ``sys.path``) with
``pytest_plugins = ["jira_emulator.pytest_plugin"]`` in the top-level conftest, or import the
fixtures into a conftest: ``from jira_emulator.pytest_plugin import emulator, emulator_process``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .process import EmulatorProcess


@pytest.fixture(scope="session")
def emulator_process() -> Iterator[EmulatorProcess]:
    """One emulator process (default fixture) for the whole session."""
    with EmulatorProcess() as process:
        yield process


@pytest.fixture
def emulator(emulator_process: EmulatorProcess) -> EmulatorProcess:
    """The session's emulator, reset to its start data (and no faults, empty log) for this test."""
    emulator_process.reset()
    return emulator_process
