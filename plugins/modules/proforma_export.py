#!/usr/bin/python
# Copyright: (c) 2026, jira.addons developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: proforma_export
short_description: Export ProForma form responses to a file
version_added: 1.0.0
description:
  - Exports the responses to one ProForma template form in one project, as JSON or as an XLSX spreadsheet,
    to a file (O(dest)), or returns them (JSON without O(dest)).
  - Starts the export, polls its status until it is complete, then downloads it once. The server deletes an
    export once it has been downloaded.
  - The download streams into a temporary file in the directory of O(dest) and is checked (its size against
    C(Content-Length); JSON must parse, XLSX must open) before it is renamed into place. O(dest) is never
    half-written, and memory does not grow with the size of the export.
  - If a download breaks part way, a new export is started, up to O(retries) times. O(dest) keeps its old
    content until a complete new file replaces it.
  - O(dest) is only replaced when the content differs. JSON is compared as data; XLSX by sheet names and cell
    values, not by its zip bytes, which differ on every export. So a nightly export to a file kept in git
    changes the file only when a response changed.
  - The export also runs in check mode, because it changes nothing on the server; that way C(changed) is
    exact. Nothing is written in check mode.
author:
  - jira.addons developers (@jira-addons)
extends_documentation_fragment:
  - jira.addons.connection
  - jira.addons.attributes
  - jira.addons.attributes.ACTIONABLE
  - ansible.builtin.files
options:
  project:
    description:
      - Key of the project to export from (V(DEMO)). One project per export.
    type: str
    required: true
  template_id:
    description:
      - ID of the template form whose responses are exported.
    type: int
    required: true
  format:
    description:
      - V(json) (a C(responses-json) export) or V(xlsx) (a C(responses-xlsx) spreadsheet).
      - V(xlsx) needs O(dest).
    type: str
    choices: [json, xlsx]
    default: json
  fields:
    description:
      - Jira fields whose values the export includes for each issue, for example V(summary) or
        V(customfield_10012).
    type: list
    elements: str
  jql:
    description:
      - Only export the responses on issues that match this JQL query. The project is added by the server.
      - A query the server cannot parse makes the export fail with the server's message.
    type: str
  dest:
    description:
      - Path of the file to write. Its directory must exist.
      - Without O(dest) (V(json) only), the responses are returned as RV(responses) and nothing is written.
    type: path
  wait_timeout:
    description:
      - Seconds to wait for an export to complete on the server. On timeout the module fails with the
        RV(export_id) and the last progress; the export goes on running on the server.
    type: float
    default: 600
  poll_interval:
    description:
      - Longest wait in seconds between two status checks. The first checks come sooner (after 0.25 s, then
        doubling up to this), so small exports finish quickly.
    type: float
    default: 5
notes:
  - "The user needs the C(ProForma: Export All Data) global permission in Jira."
  - O(retries) also limits how many new exports are started after broken downloads (a download is never
    repeated, because the server deletes an export once it is downloaded).
  - With C(--diff), a JSON export shows a summary of what changed, not the whole file. Responses are named by
    issue key and form id (C(DEMO-1 form 2)); removed and changed ones are shown as they were, added and
    changed ones as they are, at most 50 of each. An XLSX export shows the row counts and the first differing
    rows of each sheet. To find what changed, a JSON diff keeps about 100 bytes a response while it compares
    (about 60 MB in all for 100,000 responses), where a run without C(--diff) stays flat.
  - Returning RV(responses) holds them in memory; for large exports, use O(dest).
seealso:
  - module: jira.addons.proforma_form_info
  - module: ansible.builtin.get_url
"""

EXAMPLES = r"""
# Connection: the first example sets url and credentials on the task; the others leave them out.
# Set them once for every jira.addons module with module_defaults (group/jira.addons.jira), or
# export JIRA_URL with JIRA_USERNAME and JIRA_PASSWORD (or JIRA_TOKEN), as an AWX credential does.
# audit_dir is a clone of a git repository that keeps the exports.

- name: Export the responses to the change approval form into a file kept in git
  jira.addons.proforma_export:
    url: "{{ jira_url }}"
    token: "{{ jira_token }}"
    project: OPS
    template_id: 2
    fields: [summary, status]
    dest: "{{ audit_dir }}/ops-change-approvals.json"
    mode: "0640"
  register: export

- name: Commit the file only when a response changed
  ansible.builtin.shell:
    cmd: git add ops-change-approvals.json && git commit --quiet -m "ProForma export {{ export.export_id }}"
    chdir: "{{ audit_dir }}"
  when: export is changed

- name: A spreadsheet for the auditors, of the responses on issues not done yet, in a dated file
  jira.addons.proforma_export:
    project: OPS
    template_id: 2
    format: xlsx
    jql: status != Done
    dest: "{{ audit_dir }}/ops-change-approvals-{{ now(fmt='%Y-%m-%d') }}.xlsx"
    wait_timeout: 1800
    poll_interval: 30

- name: Read the responses without writing a file
  jira.addons.proforma_export:
    project: DEMO
    template_id: 1
    jql: key in (DEMO-1, DEMO-4)
  register: asset_requests

- name: Show the asset tags
  ansible.builtin.debug:
    msg: "Asset tags requested: {{ asset_requests.responses | map(attribute='answers') | map(attribute='Asset tag') | join(', ') }}"
"""

RETURN = r"""
export_id:
  description:
    - ID of the export that was downloaded.
    - When the module fails because the export failed or did not complete in time, the ID of that export.
  returned: success, and failures of a started export
  type: str
  sample: responses-json-OPS-2-1718000000000
dest:
  description: Path of the file written (or compared, when unchanged); null without O(dest).
  returned: success
  type: str
  sample: /srv/audit/ops-change-approvals.json
size:
  description:
    - Size in bytes of O(dest) after the run; without O(dest), of the export.
    - In check mode, of O(dest) as it is on disk if it exists (Ansible adds the file facts of O(dest) to the result),
      else of the new export.
  returned: success
  type: int
  sample: 48213
checksum:
  description:
    - SHA-1 of O(dest) after the run (in check mode, of the content it would have); without O(dest), of the export.
  returned: success
  type: str
  sample: 2c1f8b3f1d5e6d0a8c3b8f1a0e7d9c4b5a6f7e8d
exports_started:
  description: How many exports were started (more than one when a download broke).
  returned: always
  type: int
  sample: 1
progress:
  description: Progress in percent the server last reported, when the export failed or did not complete in time.
  returned: when the export failed or timed out
  type: int
  sample: 40
responses:
  description:
    - The responses of a JSON export, as the server gives them, when O(dest) is not set.
  returned: when O(format=json) and O(dest) is not set
  type: list
  elements: dict
  sample:
    - issueKey: DEMO-1
      formId: 1
      formName: Asset request
      status: s
      fields: {summary: Family of the CEO}
      answers: {"Asset tag": LAP-001, Quantity: 1}
diff:
  description: A summary of what changed, with C(--diff).
  returned: when diff mode is on and the content changed
  type: dict
  contains:
    before:
      description:
        - JSON, C(total) (responses in the old file) and C(responses) (the removed and changed ones, as they were,
          by name), and C(document) (other top-level values that differ).
        - XLSX, C(sheets), per sheet its C(rows) and C(changed_rows) (row number to cell values).
      type: dict
    after:
      description: The same for the new export (added and changed responses, as they are).
      type: dict
"""

import os

from ansible_collections.jira.addons.plugins.module_utils.export_apply import (
    export_responses,
    export_to_file,
    validate_options,
)
from ansible_collections.jira.addons.plugins.module_utils.export_download import ExportRunner, ExportSpec
from ansible_collections.jira.addons.plugins.module_utils.module import JiraModule
from ansible_collections.jira.addons.plugins.module_utils.proforma_api import ProformaApi


def export(module):
    """Run the export to dest (or return its responses); bad options fail before any request."""
    p = module.params
    validate_options(p["template_id"], p["wait_timeout"], p["poll_interval"], p["dest"])
    spec = ExportSpec(
        p["project"],
        p["template_id"],
        format=p["format"],
        fields=p["fields"],
        jql=p["jql"],
        wait_timeout=p["wait_timeout"],
        poll_interval=p["poll_interval"],
        retries=p["retries"],
        user=p["username"],
    )
    runner = ExportRunner(ProformaApi(module.client), spec)
    if p["dest"] is None:
        return export_responses(runner, module.tmpdir)
    dest = os.path.abspath(p["dest"])
    work_dir = module.tmpdir if module.check_mode else os.path.dirname(dest)
    result = export_to_file(runner, dest, module.check_mode, module._diff, work_dir, module.atomic_move)
    if os.path.exists(dest):
        file_args = module.load_file_common_arguments(p, path=dest)
        result["changed"] = module.set_fs_attributes_if_different(file_args, result["changed"])
    return result


def main():
    module = JiraModule(
        argument_spec=dict(
            project=dict(type="str", required=True),
            template_id=dict(type="int", required=True),
            format=dict(type="str", choices=["json", "xlsx"], default="json"),
            fields=dict(type="list", elements="str"),
            jql=dict(type="str"),
            dest=dict(type="path"),
            wait_timeout=dict(type="float", default=600.0),
            poll_interval=dict(type="float", default=5.0),
        ),
        required_if=[("format", "xlsx", ["dest"])],
        add_file_common_args=True,
    )
    module.run(export)


if __name__ == "__main__":
    main()
