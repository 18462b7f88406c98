# Copyright: (c) 2026, jira.addons developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The base every jira.addons module is built on.

:class:`JiraModule` adds the connection options (documented once in the
``jira.addons.connection`` doc fragment) to a module's own options, builds the
one :class:`~.client.JiraClient`, and maps each error family of ``errors.py`` to
one clear ``fail_json`` (:meth:`JiraModule.run`).
"""

from __future__ import annotations

import os
import traceback

from ansible.module_utils.basic import AnsibleModule, env_fallback, missing_required_lib

from ansible_collections.jira.addons.plugins.module_utils.client import (
    HAS_REQUESTS,
    MAX_RETRY_WAIT,
    REQUESTS_IMPORT_ERROR,
    JiraClient,
)
from ansible_collections.jira.addons.plugins.module_utils.credentials import secret_forms, url_problem, url_userinfo
from ansible_collections.jira.addons.plugins.module_utils.errors import AppliedError, JiraAddonsError, JiraApiError

CONNECTION_ARGSPEC = dict(
    url=dict(type="str", required=True, fallback=(env_fallback, ["JIRA_URL"])),
    # Credentials fall back to JIRA_USERNAME / JIRA_PASSWORD / JIRA_TOKEN in _credentials_from_env,
    # not with `fallback`: an explicit password must win over a JIRA_TOKEN in the environment.
    username=dict(type="str"),
    password=dict(type="str", no_log=True),
    token=dict(type="str", no_log=True),
    validate_certs=dict(type="bool", default=True, fallback=(env_fallback, ["JIRA_VALIDATE_CERTS"])),
    ca_path=dict(type="path", fallback=(env_fallback, ["JIRA_CA_PATH"])),
    client_cert=dict(type="path"),
    client_key=dict(type="path"),
    timeout=dict(type="float", default=30.0),
    retries=dict(type="int", default=3),
    max_retry_wait=dict(type="float", default=MAX_RETRY_WAIT),
    concurrency=dict(type="int", default=4, fallback=(env_fallback, ["JIRA_CONCURRENCY"])),
)


class JiraModule(AnsibleModule):
    """An AnsibleModule with the connection options and one Jira client."""

    def __init__(self, argument_spec, mutually_exclusive=None, required_together=None, **kwargs):
        spec = dict(CONNECTION_ARGSPEC)
        spec.update(argument_spec)
        exclusive = [("password", "token")] + list(mutually_exclusive or [])
        together = [("client_key", "client_cert")] + list(required_together or [])
        kwargs.setdefault("supports_check_mode", True)
        super().__init__(argument_spec=spec, mutually_exclusive=exclusive, required_together=together, **kwargs)
        self._refuse_credentials_in_url()
        problem = url_problem(self.params["url"])
        if problem:
            self.fail_json(msg=problem)
        if not HAS_REQUESTS:
            self.fail_json(msg=missing_required_lib("requests"), exception=REQUESTS_IMPORT_ERROR)
        self._credentials_from_env()
        # The header value and its base64 part too: a proxy or server may echo them in an error body.
        self.no_log_values.update(secret_forms(self.params["username"], self.params["password"], self.params["token"]))
        if self.params["timeout"] <= 0:
            self.fail_json(msg="timeout must be greater than 0, got %s" % self.params["timeout"])
        if self.params["retries"] < 0:
            self.fail_json(msg="retries must be 0 or more, got %s" % self.params["retries"])
        if self.params["concurrency"] < 1:
            self.fail_json(msg="concurrency must be 1 or more, got %s" % self.params["concurrency"])
        if self.params["max_retry_wait"] < 0:
            self.fail_json(msg="max_retry_wait must be 0 or more seconds, got %s" % self.params["max_retry_wait"])
        self._client = None

    def _refuse_credentials_in_url(self):
        """Fail on ``https://user:password@host``; mask that password in everything the module prints."""
        userinfo = url_userinfo(self.params["url"])
        if userinfo is None:
            return
        user, _sep, password = userinfo.partition(":")
        self.no_log_values.update(secret for secret in [userinfo] + secret_forms(user, password or None) if secret)
        self.fail_json(
            msg="url must not hold credentials (user:password@host): give username and password, or token, as "
            "options or in JIRA_USERNAME / JIRA_PASSWORD / JIRA_TOKEN"
        )

    def _credentials_from_env(self):
        """Fill unset credentials from JIRA_* variables; options given in the task win."""
        p = self.params
        if p["password"] is None and p["token"] is None:
            password = os.environ.get("JIRA_PASSWORD") or None
            token = os.environ.get("JIRA_TOKEN") or None
            if password and token:
                self.fail_json(
                    msg="JIRA_PASSWORD and JIRA_TOKEN are both set in the environment; set only one, "
                    "or give password or token as an option"
                )
            p["password"], p["token"] = password, token
            for secret in (password, token):
                if secret:
                    self.no_log_values.add(secret)
        if p["username"] is None and p["token"] is None:
            p["username"] = os.environ.get("JIRA_USERNAME") or None
        if p["password"] is not None and p["username"] is None:
            self.fail_json(msg="password needs username (or set JIRA_USERNAME)")
        if p["username"] is not None and p["password"] is None and p["token"] is None:
            self.fail_json(msg="username needs password (or set JIRA_PASSWORD), or use token instead")

    @property
    def client(self):
        """The module's JiraClient, created on first use."""
        if self._client is None:
            options = dict((name, self.params[name]) for name in CONNECTION_ARGSPEC if name != "url")
            self._client = JiraClient(self.params["url"], **options)
        return self._client

    def scrub(self, text):
        """``text`` with every secret the client knows masked (the client masks its own errors already)."""
        return self._client.scrub(text) if self._client is not None else text

    def fail(self, err, result=None):
        """The one failure path: fail with ``err``'s message, scrubbed, and ``result`` (what was applied).

        ``err`` is any error of ``errors.py``; when a request stopped the run, its
        details go in ``error`` (method, path, status, server message).
        """
        result = dict(err.result if result is None else result)
        if err.api_error is not None:
            result.setdefault("error", err.api_error.as_dict())
        self.fail_json(msg=self.scrub(str(err)), **result)

    def run(self, work, shape=None, context=None):
        """Call ``work(module)`` and exit with ``shape(module, result)`` (or the result itself).

        Each error family becomes one fail_json here, so a module has no try/except:
        an InputError or a JiraApiError fails with its ``result`` (ids resolved so far);
        an AppliedError fails with its result shaped as a success would be, so it says
        what was applied. ``context`` is put in front of a JiraApiError's message to say
        what the module was doing. Anything else unexpected fails with its traceback
        (secrets scrubbed), never a raw crash.
        """
        try:
            try:
                result = work(self)
            except AppliedError as err:
                self.fail(err, shape(self, err.result) if shape is not None else err.result)
            except JiraApiError as err:
                if context:
                    err = JiraApiErrorInContext(context, err)
                self.fail(err)
            except JiraAddonsError as err:
                self.fail(err)
            except Exception as err:  # noqa: BLE001 - last line of defence, reported not raised
                self.fail_json(
                    msg=self.scrub("unexpected error: %s" % err), exception=self.scrub(traceback.format_exc())
                )
        finally:
            if self._client is not None:
                self._client.close()
        self.exit_json(**(shape(self, result) if shape is not None else result))


class JiraApiErrorInContext(JiraAddonsError):
    """A JiraApiError with what the module was doing in front of its message."""

    def __init__(self, context, error):
        super().__init__("%s: %s" % (context, error), error.result)
        self.api_error = error
