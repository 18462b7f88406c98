# Copyright: (c) 2026, jira.addons developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Integration tests: real ansible-playbook runs against the real emulator process."""

from __future__ import annotations

import sys
from pathlib import Path

# The emulator lives beside the tests; its pytest plugin starts one process per session.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "emulator"))

from jira_emulator.pytest_plugin import *  # noqa: E402,F401,F403 pylint: disable=wildcard-import,unused-wildcard-import
