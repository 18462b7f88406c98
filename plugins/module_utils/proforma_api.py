# Copyright: (c) 2026, jira.addons developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Wrappers for the ProForma Customer API (its OpenAPI document), one method per operation,
and for reading the forms ProForma keeps in Jira issue properties (read only: modules never write them).
"""

from __future__ import annotations

from urllib.parse import quote

from ansible_collections.jira.addons.plugins.module_utils.jira_api import JiraCoreApi

BASE = "/rest/proforma/1"
FORMS_INDEX = "proforma.forms"
FORM_PROPERTY = "proforma.forms.i%s"
FORM_PART = "proforma.forms.i%s.%s"  # parts 2..N of a chunked design: .1 .. .N-1
_MISSING = object()
EXPORT_TYPES = {"json": "responses-json", "xlsx": "responses-xlsx"}


def _key(issue_key):
    return quote(str(issue_key), safe="")


class ProformaApi:
    """The 7 ProForma operations, plus reading forms from issue properties."""

    def __init__(self, client):
        self.client = client
        self.jira = JiraCoreApi(client)

    # -- forms on an issue (issue properties) ------------------------------------------------

    def form_index(self, issue_key):
        """The ``forms`` list of the ``proforma.forms`` property: None when the issue has no such property,
        ``[]`` when it holds no forms (or null: cleared, not deleted)."""
        value = self.jira.issue_property(issue_key, FORMS_INDEX, missing=_MISSING)
        if value is _MISSING:
            return None
        if not isinstance(value, dict):
            return []
        return list(value.get("forms") or [])

    def form(self, issue_key, form_id):
        """The ``proforma.forms.i{id}`` property of one form (design and state, or the first part of a
        chunked design), or None."""
        return self.jira.issue_property(issue_key, FORM_PROPERTY % form_id)

    def form_part(self, issue_key, form_id, number):
        """The ``proforma.forms.i{id}.{number}`` property: part ``number + 1`` of a chunked design, or None."""
        return self.jira.issue_property(issue_key, FORM_PART % (form_id, number))

    # -- Form API ------------------------------------------------------------------------------

    def add_form(self, issue_key, template_id, visibility=None, count=1):
        """postAddFormToIssue: add ``count`` copies of a template form. Not retried once sent."""
        body = {"templateFormId": int(template_id), "add": int(count)}
        if visibility:
            body["visibility"] = visibility
        self.client.request("POST", "%s/issue/%s/form" % (BASE, _key(issue_key)), json=body)

    def submit_form(self, issue_key, form_id):
        """submitForm: open -> submitted (or locked). Returns ``{"status", "transitioned"}``."""
        return self._change(issue_key, form_id, "submit")

    def reopen_form(self, issue_key, form_id):
        """reopenForm: submitted -> open."""
        return self._change(issue_key, form_id, "reopen")

    def unlock_form(self, issue_key, form_id):
        """unlockForm: locked -> submitted."""
        return self._change(issue_key, form_id, "unlock")

    def _change(self, issue_key, form_id, action):
        path = "%s/issue/%s/form/%s/%s" % (BASE, _key(issue_key), quote(str(form_id), safe=""), action)
        return self.client.request("POST", path) or {}

    # -- Export API ----------------------------------------------------------------------------

    def start_export(self, export_type, project_key, template_id, fields=None, jql=None):
        """postStartExport: returns ``{"type", "id", "statusUrl"}``.

        Retried like a read: a second export started by a retry costs the server
        some work but changes no data.
        """
        body = {"type": export_type, "projectKey": project_key, "templateFormId": int(template_id)}
        if fields:
            body["fields"] = list(fields)
        if jql:
            body["jql"] = jql
        return self.client.request("POST", "%s/export" % BASE, json=body, idempotent=True)

    def export_status(self, export_id):
        """getExportStatus: ``{"complete", "failed", "progress", "downloadUrl"?, "message"?}``."""
        return self.client.get("%s/export/%s" % (BASE, quote(str(export_id), safe="")))

    def download_export(self, export_id, filename):
        """getExportDownload as a streaming response (the caller reads and closes it).

        The server deletes the file once downloaded, so this is never retried after
        it was sent: a broken download means starting a new export.
        """
        path = "%s/export/%s/%s" % (BASE, quote(str(export_id), safe=""), quote(str(filename), safe=""))
        return self.client.request("GET", path, stream=True, idempotent=False)
