# Copyright: (c) 2026, jira.addons developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Hostile inputs: odd passwords in url, a bad url, a long Retry-After, with real ansible-playbook."""

from __future__ import annotations

import base64

from .runner import run_playbook, run_task

PASSWORD = "admin-pass"
# Passwords a person may type into url: "@" (urlsplit splits at the last one), "/" and "#" (they end
# the authority), each with a tail that must not show.
URL_PASSWORDS = ("Ab@Cd-Tail-55", "Ef/Gh-Tail-66", "Ij#Kl-Tail-77")


def write(tmp_path, text):
    path = tmp_path / "play.yml"
    path.write_text(text)
    return path


def url_task(name, url):
    return """
    - name: %s
      jira.addons.tge_grid_info:
        url: "%s"
        grid: 10301
        issue: DEMO-1
      register: out
      ignore_errors: true

    - name: It was refused
      ansible.builtin.assert:
        that:
          - out is failed
          - out.msg is search('url must not hold credentials')
""" % (name, url)


def test_no_part_of_a_password_in_url_shows_at_vvvv(emulator, tmp_path):
    host = emulator.url.split("://", 1)[1]
    tasks = "".join(
        url_task("Password %d in url" % n, "http://admin:%s@%s" % (password, host))
        for n, password in enumerate(URL_PASSWORDS)
    )
    proc = run_playbook(
        write(tmp_path, "- hosts: localhost\n  gather_facts: false\n  tasks:%s" % tasks), tmp_path, verbosity=4
    )
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output[-6000:]
    assert '"module_args"' in output  # -vvvv really printed the module's invocation
    for password in URL_PASSWORDS:
        head, tail = password[:5], password[5:]
        assert head not in output and tail not in output and "Tail" not in output
    assert emulator.requests() == []


def test_basic_credentials_in_no_encoding_show_at_vvvv(emulator, tmp_path):
    playbook = """
- hosts: localhost
  gather_facts: false
  tasks:
    - jira.addons.tge_grid_info:
        url: "%s"
        username: admin
        password: "%s"
        grid: 10301
        issue: DEMO-404
      register: out
      ignore_errors: true
    - ansible.builtin.assert:
        that:
          - out is failed and out.msg is search('HTTP 404')
""" % (emulator.url, PASSWORD)
    proc = run_playbook(write(tmp_path, playbook), tmp_path, verbosity=4)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output[-6000:]
    encoded = base64.b64encode(("admin:%s" % PASSWORD).encode()).decode()
    assert PASSWORD not in output and encoded not in output


def test_a_url_without_https_or_http_is_refused_before_any_request(emulator, tmp_path):
    host = emulator.url.split("://", 1)[1]
    playbook = """
- hosts: localhost
  gather_facts: false
  tasks:
    - jira.addons.tge_grid_info:
        url: "{{ item }}"
        username: admin
        password: "%s"
        grid: 10301
        issue: DEMO-1
      loop: ["%s", ""]
      register: out
      ignore_errors: true
    - ansible.builtin.assert:
        that:
          - out.results | map(attribute='failed') | list == [true, true]
          - "out.results[0].msg is search('^url .%s. has no scheme: it needs https:// or http://')"
          - "out.results[1].msg is search('^url is empty: it needs https:// or http://')"
""" % (PASSWORD, host, host)
    proc = run_playbook(write(tmp_path, playbook), tmp_path)
    assert proc.returncode == 0, proc.stdout[-6000:]
    assert emulator.requests() == []


def read_demo1(url):
    return {"url": url, "username": "admin", "password": PASSWORD, "grid": 10301, "issue": "DEMO-1"}


def test_https_to_the_plain_http_port_says_the_port_does_not_speak_tls(emulator, tmp_path):
    out, _proc = run_task(
        "jira.addons.tge_grid_info", read_demo1(emulator.url.replace("http://", "https://")), tmp_path
    )
    assert out["failed"] is True
    assert "does not speak TLS on that port" in out["msg"] and "validate_certs" not in out["msg"]


def test_a_retry_after_beyond_max_retry_wait_fails_at_once_naming_the_wait(emulator, tmp_path):
    emulator.set_faults(
        [
            {
                "method": "GET",
                "path": "/grid/10301/issue/",
                "count": 1,
                "action": "status",
                "status": 503,
                "retry_after": "3600",
            }
        ]
    )
    out, _proc = run_task("jira.addons.tge_grid_info", read_demo1(emulator.url), tmp_path)
    assert out["failed"] is True and "HTTP 503" in out["msg"]
    assert "asked to wait 3600 s before a retry (Retry-After), more than max_retry_wait (60 s)" in out["msg"]
    reads = [r for r in emulator.requests() if r["path"].endswith("/grid/10301/issue/10001")]
    assert [r["status"] for r in reads] == [503], "not retried"
