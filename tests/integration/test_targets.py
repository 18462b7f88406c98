# Copyright: (c) 2026, jira.addons developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Each directory under targets/ is a role of tasks that assert; each runs in a real ansible-playbook.

A target named in REAL_SHAPES runs twice: with ``shapes=default`` against the emulator's default
fixture, and with ``shapes=real`` against an emulator whose fixture settings are updated with the
target's entry, so that it serves the data shapes real servers store beyond the vendor documents.
Both runs must be equally green. The emulator is started with those settings (not changed through
the control API), so a target's own ``/_emulator/reset`` keeps them. A target can tell the runs apart
by the variable ``emulator_shapes`` (``default`` or ``real``), for request counts that differ.
"""

from __future__ import annotations

import json

import pytest
import yaml
from jira_emulator.__main__ import DEFAULT_FIXTURE
from jira_emulator.process import EmulatorProcess

from .runner import TARGETS, run_playbook, target_playbook

NAMES = sorted(p.name for p in TARGETS.iterdir() if (p / "tasks" / "main.yml").is_file())

# The emulator's ProForma shapes of real servers (tests/emulator/README.md, "Real-server shapes"):
# designs in base64 parts, an index without templateId, a cleared (null) index on issues without forms,
# no state.status (the index says it), and one legacy schemaVersion 5 form (DEMO-4 #1, which no forms
# target changes).
FORMS_REAL_SHAPES = {
    "forms_shapes": {
        "chunk_size": 96,
        "index_template_id": False,
        "cleared_index": True,
        "without_status": "*",
        "legacy": ["DEMO-4#1"],
    }
}

# Per target, the emulator settings of its real-shapes run (merged over the default fixture's settings).
# The emulator's TGE shapes of real servers: list/radio cells read back as {"value"} only (a read naming the
# column gets the whole option), and date/datetime columns refuse ISO text as TGE does.
TGE_REAL_SHAPES = {"tge_shapes": {"option_cells": "value", "numbers_only_dates": True}}

REAL_SHAPES = {
    "tge_grid_rows": TGE_REAL_SHAPES,
    "proforma_form": FORMS_REAL_SHAPES,
    "proforma_form_info": FORMS_REAL_SHAPES,
}

CASES = [(name, "default") for name in NAMES] + [(name, "real") for name in NAMES if name in REAL_SHAPES]

# The real-shapes runs test the modules' reading of server data, which no ansible-core version changes:
# CI runs them once, on the newest, and the sessions of the older versions leave them out (``-m``).
PARAMS = [
    pytest.param(
        target, shapes, id="%s-%s" % (target, shapes), marks=[pytest.mark.real_shapes] if shapes == "real" else []
    )
    for target, shapes in CASES
]


def target_vars(emulator, shapes="default"):
    return {
        "jira_url": emulator.url,
        "emulator_control": emulator.url + "/_emulator",
        "emulator_shapes": shapes,
        "jira_admin": {"username": "admin", "password": "admin-pass"},
        "jira_alice": {"username": "alice", "password": "alice-pass"},
        "jira_bob": {"username": "bob", "password": "bob-pass"},
        "jira_carol": {"username": "carol", "password": "carol-pass"},
    }


@pytest.fixture(scope="module")
def shaped_emulator(tmp_path_factory):
    """``shaped_emulator(settings)``: an emulator on the default fixture with ``settings`` merged in.

    One process per distinct settings, started on first use and stopped at the end of the module.
    """
    started = {}

    def get(settings):
        key = json.dumps(settings, sort_keys=True)
        if key not in started:
            with open(DEFAULT_FIXTURE, encoding="utf-8") as handle:
                fixture = yaml.safe_load(handle)
            fixture["settings"] = dict(fixture.get("settings") or {}, **settings)
            path = tmp_path_factory.mktemp("shapes") / "fixture.yml"
            path.write_text(yaml.safe_dump(fixture, sort_keys=False))  # YAML keeps fixture dates as dates
            started[key] = EmulatorProcess(data=path).start()
        emulator = started[key]
        emulator.reset()
        return emulator

    yield get
    for emulator in started.values():
        emulator.stop()


@pytest.mark.parametrize(("target", "shapes"), PARAMS)
def test_target(target, shapes, request, tmp_path):
    if shapes == "default":
        emulator = request.getfixturevalue("emulator")
    else:
        emulator = request.getfixturevalue("shaped_emulator")(REAL_SHAPES[target])
    proc = run_playbook(target_playbook(target, tmp_path), tmp_path, extra_vars=target_vars(emulator, shapes))
    assert proc.returncode == 0, "%s\n%s" % (proc.stdout[-8000:], proc.stderr[-4000:])
    assert "failed=0" in proc.stdout
