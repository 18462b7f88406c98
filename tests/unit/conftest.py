# Copyright: (c) 2026, jira.addons developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import json

import pytest
from ansible.module_utils import basic

# ansible.module_utils.testing.patch_module_args, or its equivalent before ansible-core 2.19.
from .module_args import patch_module_args


class ModuleExit(SystemExit):
    """exit_json or fail_json was called; ``result`` holds what the module returned.

    A SystemExit, as the real exit_json/fail_json raise: ``except Exception`` in module code
    must not catch it.
    """

    def __init__(self, result, failed):
        super().__init__(json.dumps(result, default=str))
        self.result = result
        self.failed = failed


@pytest.fixture
def server():
    """A scripted loopback HTTP server (see scripted_server.py)."""
    # Imported here: this conftest loads before pytest-ansible puts the collection on sys.path.
    from ansible_collections.jira.addons.tests.unit.scripted_server import ScriptedServer

    with ScriptedServer() as srv:
        yield srv


@pytest.fixture
def tls_server(tmp_path):
    """A scripted server on HTTPS with a self-signed certificate for 127.0.0.1; ``.ca`` is that certificate."""
    import shutil
    import subprocess

    from ansible_collections.jira.addons.tests.unit.scripted_server import ScriptedServer

    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a test certificate")
    cert, key = str(tmp_path / "cert.pem"), str(tmp_path / "key.pem")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1"]
        + ["-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", cert],
        check=True,
        capture_output=True,
    )
    with ScriptedServer(certfile=cert, keyfile=key) as srv:
        srv.ca = cert
        yield srv


@pytest.fixture
def run_module(monkeypatch):
    """Run a module's main() with ``args``; return (result, failed)."""

    def exit_json(self, **result):
        raise ModuleExit(result, failed=False)

    def fail_json(self, msg, **result):
        result["msg"] = msg
        raise ModuleExit(result, failed=True)

    monkeypatch.setattr(basic.AnsibleModule, "exit_json", exit_json)
    monkeypatch.setattr(basic.AnsibleModule, "fail_json", fail_json)

    def run(main, args):
        with patch_module_args(args):
            with pytest.raises(ModuleExit) as info:
                main()
        return info.value.result, info.value.failed

    return run
