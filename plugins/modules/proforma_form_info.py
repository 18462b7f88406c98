#!/usr/bin/python
# Copyright: (c) 2026, jira.addons developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: proforma_form_info
short_description: Read the ProForma forms on a Jira issue
version_added: 1.0.0
description:
  - Reads the ProForma forms on one Jira issue from the issue properties ProForma keeps (C(proforma.forms) and
    C(proforma.forms.i<id>)), with their status and visibility, and optionally their answers.
  - An issue without forms returns an empty list.
  - Reads every shape of form data real servers store - designs stored in parts (one read per part), an index
    without template ids (with O(template_id), the forms it leaves out are read to learn theirs), a cleared
    index, legacy (schemaVersion 5) forms and forms without a status letter (the index then says it).
  - This module only reads; it never reports a change.
author:
  - jira.addons developers (@jira-addons)
extends_documentation_fragment:
  - jira.addons.connection
  - jira.addons.attributes
  - jira.addons.attributes.INFO_MODULE
options:
  issue:
    description:
      - The issue, by key (V(DEMO-1)) or numeric id (V(10001)); an id costs one request to find the key.
    type: str
    required: true
  template_id:
    description:
      - Only return the copies of this template form. A form whose template neither the index nor its own data
        says is left out, with a warning.
    type: int
  form_id:
    description:
      - Only return this form (its number on the issue). The module fails if the issue has no such form.
    type: int
  answers:
    description:
      - Also return each form's answers, keyed by question label.
    type: bool
    default: false
seealso:
  - module: jira.addons.proforma_form
"""

EXAMPLES = r"""
# Connection: the first example sets url and credentials on the task; the others leave them out.
# Set them once for every jira.addons module with module_defaults (group/jira.addons.jira), or
# export JIRA_URL with JIRA_USERNAME and JIRA_PASSWORD (or JIRA_TOKEN), as an AWX credential does.

- name: Read the forms on an issue with their answers
  jira.addons.proforma_form_info:
    url: "{{ jira_url }}"
    token: "{{ jira_token }}"
    issue: DEMO-1
    answers: true
  register: demo_forms

- name: Show the asset tag of every submitted asset request
  ansible.builtin.debug:
    msg: >-
      Submitted: {{ demo_forms.forms | selectattr('template_id', 'equalto', 1) | selectattr('status', 'equalto', 'submitted')
      | map(attribute='answers') | map(attribute='Asset tag') | join(', ') }}

- name: Wait until the change approval form is locked
  jira.addons.proforma_form_info:
    issue: OPS-1
    template_id: 2
  register: approval
  until: approval.forms | selectattr('status', 'equalto', 'locked') | list | length > 0
  retries: 30
  delay: 60

- name: Read one form by its number, on an issue given by its numeric id
  jira.addons.proforma_form_info:
    issue: 10101
    form_id: 2
    answers: true
  register: server_request

- name: Show its answers
  ansible.builtin.debug:
    msg: "{{ server_request.issue }} form 2 ({{ server_request.forms[0].name }}): {{ server_request.forms[0].answers }}"
"""

RETURN = r"""
issue:
  description: Key of the issue.
  returned: always
  type: str
  sample: DEMO-1
forms:
  description: The forms on the issue (or the selected ones), ordered by id. Empty when the issue has no forms.
  returned: success
  type: list
  elements: dict
  contains:
    id:
      description: Number of the form on the issue.
      type: int
      sample: 1
    template_id:
      description: The template the form was made from.
      type: int
      sample: 1
    name:
      description: Name of the form.
      type: str
      sample: Asset request
    status:
      description: V(open), V(submitted) or V(locked); C(null) if the form's property could not be read.
      type: str
      sample: submitted
    visibility:
      description: V(internal) or V(external); C(null) for a legacy form, which does not hold it.
      type: str
      sample: internal
    submitted:
      description: When the form was last submitted (ProForma's timestamp); C(null) while it is open.
      type: str
      sample: "2024-01-02T09:00:00.000Z"
    locks_on_submit:
      description: Whether submitting this form locks it (from its design); C(null) for a legacy form.
      type: bool
      sample: false
    legacy:
      description: Whether the form is stored in the legacy schemaVersion 5 shape (no visibility, no lock setting).
      type: bool
      sample: false
    answers:
      description: The answers by question label (a question without a label by its id). Only with O(answers).
      type: dict
      returned: when O(answers=true)
      sample: {"Asset tag": "LAP-001", "Quantity": 1}
"""

from ansible_collections.jira.addons.plugins.module_utils.form_apply import forms_info
from ansible_collections.jira.addons.plugins.module_utils.module import JiraModule
from ansible_collections.jira.addons.plugins.module_utils.proforma_api import ProformaApi


def read_info(module):
    """Read the forms and return them; warn about forms whose template cannot be known."""
    p = module.params
    key, forms, warnings = forms_info(
        ProformaApi(module.client), p["issue"], p["template_id"], p["form_id"], p["answers"]
    )
    for warning in warnings:
        module.warn(warning)
    return {"changed": False, "issue": key, "forms": forms}


def main():
    module = JiraModule(
        argument_spec=dict(
            issue=dict(type="str", required=True),
            template_id=dict(type="int"),
            form_id=dict(type="int"),
            answers=dict(type="bool", default=False),
        ),
    )
    module.run(read_info, context="cannot read the forms of %s" % module.params["issue"])


if __name__ == "__main__":
    main()
