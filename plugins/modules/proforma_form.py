#!/usr/bin/python
# Copyright: (c) 2026, jira.addons developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: proforma_form
short_description: Declare the ProForma forms on a Jira issue and their status
version_added: 1.0.0
description:
  - Makes sure a Jira issue holds a number of copies of a ProForma template form, and that the selected forms
    are open, submitted or locked. Only what differs is changed.
  - The forms on the issue, their status and their visibility are read from the issue properties ProForma
    keeps (C(proforma.forms) and C(proforma.forms.i<id>)); the module never writes those properties.
  - Missing copies are added in one request; forms are never removed (ProForma's API cannot remove them).
  - Status changes use ProForma's submit (open to submitted, or to locked when the form's design locks on
    submit), reopen (submitted to open) and unlock (locked to submitted) operations, several in a row when
    needed (locked to open is unlock, then reopen).
  - A status that cannot be reached, for example V(locked) for a form whose design does not lock on submit,
    fails before anything is written.
  - Reads every shape of form data real servers store - an index without template ids (the form's design then
    says its template; only those forms are read for it), designs stored in parts, a cleared index, legacy
    (schemaVersion 5) forms and forms without a status letter (the index's C(submitted) flag then says it).
    A form whose template neither the index nor its own data says is never taken for a copy, and never made
    up for by adding one - the module fails, naming the form, when that form could count.
  - An add or a status change whose outcome is unknown (a dropped connection, a gateway error, or an answer
    slower than O(timeout)) may still land, and forms cannot be removed. So it is never simply sent again -
    the module re-reads the forms with backoff until the write shows, or until O(settle_timeout) has passed,
    and only then sends what is still missing. The result says what the issue holds at the end.
author:
  - jira.addons developers (@jira-addons)
extends_documentation_fragment:
  - jira.addons.connection
  - jira.addons.attributes
  - jira.addons.attributes.ACTIONABLE
options:
  issue:
    description:
      - The issue, by key (V(DEMO-1)). A numeric id (V(10001)) costs one request to find the key, which
        ProForma needs.
      - One of O(issue), O(issues) and O(jql) is required.
    type: str
  issues:
    description:
      - Several issues, each given as in O(issue), that all get the same declaration.
      - The issues are worked on concurrently (at most O(concurrency) requests in flight); the forms of one
        issue are changed in order, one request after the other. An issue named twice is worked on once.
      - Numeric ids are turned into keys with one search per 200 ids, not a request each.
      - One failing issue does not stop the others; the task fails at the end, naming every failed issue and
        what was applied everywhere. RV(issues) holds every issue's result.
    type: list
    elements: str
  jql:
    description:
      - The issues a JQL search returns (every page of C(GET /rest/api/2/search), only their keys), each given
        the same declaration, as with O(issues).
      - A query Jira refuses fails with Jira's own message, before anything is written.
    type: str
  template_id:
    description:
      - The template form (its id in the ProForma form builder). O(count) copies of it must be on the issue.
      - Without O(form_id), O(status) applies to every copy of this template on the issue, the ones this task
        adds included.
      - One of O(template_id) and O(form_id) is required.
    type: int
  count:
    description:
      - How many copies of O(template_id) the issue must hold. Only the missing copies are added, in one
        request; extra copies are left alone.
      - V(0) adds nothing, so O(status) applies to the copies already on the issue.
      - Used only with O(template_id).
    type: int
    default: 1
  form_id:
    description:
      - One form on the issue, by its number on that issue (V(1) is the first form added). O(status) then applies
        to this form only.
      - The module fails if the issue has no such form, or, with O(template_id), if the form is a copy of
        another template.
    type: int
  visibility:
    description:
      - Visibility of the forms this task adds. V(external) forms show on the Jira Service Management portal.
      - ProForma's API cannot change the visibility of a form already on the issue; the module warns when an
        existing copy differs.
      - Needs O(template_id). When not set, ProForma adds internal forms.
    type: str
    choices: [internal, external]
  status:
    description:
      - The status the selected forms must have.
      - V(open) reopens a submitted form and unlocks and reopens a locked one.
      - V(submitted) submits an open form (and unlocks it afterwards if its design locks on submit) and unlocks a
        locked one.
      - V(locked) submits an open form whose design locks on submit (reopening it first if it is submitted).
        A form whose design does not lock on submit cannot be locked through the API; the module fails before
        writing anything.
      - When not set, the status of the forms is left alone.
    type: str
    choices: [open, submitted, locked]
  settle_timeout:
    description:
      - How long, in seconds, to wait for an add or a status change whose outcome is unknown to show on the issue
        before sending what is still missing again. The forms are re-read with backoff (0.25 s, doubling, at most
        5 s between reads) and the wait ends as soon as the write shows.
      - Defaults to 3 x O(timeout), so an add that lands up to 3 x O(timeout) after the module stopped waiting
        for its answer (4 x O(timeout) after it was sent) never makes a second copy.
      - A write still in flight after this bound may land later. For an add, the issue may then hold more copies
        than O(count) (ProForma's API cannot remove forms); the run warns when it sees them, and the next run
        reports them and adds none. Raise the bound for a Jira that is slow to answer.
    type: float
notes:
  - ProForma's automation may move the issue through its workflow when a form is submitted; RV(transitioned)
    says so.
  - In check mode nothing is written. Forms that would be added have C(id=null), and RV(transitioned) is
    C(null) when a form would be submitted, because only the server knows whether its automation runs.
  - Whether a form locks on submit is read from its design. O(status) on copies this task adds is set once
    they are added - add, read the new forms, then submit. If V(locked) turns out to be out of reach (the
    template does not lock on submit), the module fails naming the added forms and their status. In check
    mode, a copy of the template already on the issue tells; without one, V(locked) is predicted with a
    warning that lock-on-submit is read once the form exists.
  - A legacy (schemaVersion 5) form holds no visibility and no lock-on-submit setting - its visibility is
    returned as C(null), and V(locked) cannot be planned for it.
  - If a write fails, the module fails and RV(added) and RV(status_changed) tell what was already applied.
  - Residual risk - a write still in flight after O(settle_timeout) may land later. The next run then sees it
    and corrects the status; for an add, "never more copies than O(count)" may be exceeded only then.
seealso:
  - module: jira.addons.proforma_form_info
"""

EXAMPLES = r"""
# Connection: the first example sets url and credentials on the task; the others leave them out.
# Set them once for every jira.addons module with module_defaults (group/jira.addons.jira), or
# export JIRA_URL with JIRA_USERNAME and JIRA_PASSWORD (or JIRA_TOKEN), as an AWX credential does.

- name: The service request holds one change approval form, visible on the customer portal
  jira.addons.proforma_form:
    url: "{{ jira_url }}"
    token: "{{ jira_token }}"
    issue: OPS-3
    template_id: 2
    visibility: external

- name: Two asset request forms on the issue, both submitted
  jira.addons.proforma_form:
    issue: DEMO-5
    template_id: 1
    count: 2
    status: submitted
  register: asset_requests

- name: Show the forms
  ansible.builtin.debug:
    msg: "{{ asset_requests.forms | map(attribute='id') | list }} ({{ asset_requests.added | length }} added)"

- name: Reopen a locked form so the reporter can correct it
  jira.addons.proforma_form:
    issue: OPS-1
    form_id: 1
    status: open
  register: reopened

- name: Say what it took
  ansible.builtin.debug:
    msg: "{{ reopened.status_changed | map(attribute='before') | first }} -> {{ reopened.forms[0].status }}"

- name: Lock every change approval form already on the issue (the template locks on submit)
  jira.addons.proforma_form:
    issue: OPS-2
    template_id: 2
    count: 0
    status: locked
  register: locked

- name: Say whether ProForma moved the issue
  ansible.builtin.debug:
    msg: "{{ 'OPS-2 moved on in its workflow' if locked.transitioned else 'OPS-2 stayed where it was' }}"
"""

RETURN = r"""
issue:
  description: Key of the issue.
  returned: with O(issue)
  type: str
  sample: DEMO-1
issues:
  description:
    - With O(issues) or O(jql), one result per issue, in the order given (or found). Each has the keys RV(issue),
      RV(forms), RV(added), RV(status_changed) and RV(transitioned) have for one issue, plus C(changed), C(failed)
      and C(msg) (why it failed, C(null) when it did not).
  returned: with O(issues) or O(jql)
  type: list
  elements: dict
  sample: [{"issue": "OPS-1", "changed": true, "failed": false, "msg": null, "transitioned": false,
            "forms": [{"id": 4, "template_id": 2, "name": "Change approval", "status": "open", "visibility": "internal"}],
            "added": [{"id": 4, "template_id": 2, "name": "Change approval", "status": "open", "visibility": "internal"}],
            "status_changed": []}]
forms:
  description:
    - The selected forms after the run (in check mode, as they would be) - every copy of O(template_id) and the
      form O(form_id) - ordered by id, forms added by this run last.
  returned: success, with O(issue)
  type: list
  elements: dict
  contains:
    id:
      description: Number of the form on the issue (C(null) in check mode for a form that would be added).
      type: int
    template_id:
      description: The template the form was made from.
      type: int
    name:
      description: Name of the form.
      type: str
    status:
      description: V(open), V(submitted) or V(locked).
      type: str
    visibility:
      description: V(internal) or V(external); C(null) for a legacy form, which does not hold it.
      type: str
  sample: [{"id": 3, "template_id": 2, "name": "Change approval", "status": "locked", "visibility": "internal"}]
added:
  description: The forms added (ids are C(null) in check mode). Same keys as RV(forms).
  returned: with O(issue)
  type: list
  elements: dict
  sample: [{"id": 4, "template_id": 1, "name": "Asset request", "status": "open", "visibility": "external"}]
status_changed:
  description: Forms whose status changed, with C(id), C(template_id), the status C(before) and C(after).
  returned: with O(issue)
  type: list
  elements: dict
  sample: [{"id": 1, "template_id": 2, "before": "locked", "after": "open"}]
transitioned:
  description:
    - Whether ProForma's automation moved the issue to another workflow status when a form was submitted.
    - C(null) in check mode when a form would be submitted, and when the answer to a submit was lost (the
      submit landed, but only its answer says whether the issue moved).
  returned: with O(issue)
  type: bool
  sample: true
diff:
  description:
    - The selected forms before and after, keyed by form id, when run with C(--diff).
    - With O(issues) or O(jql), a list of these, one per issue, each headed by the issue.
  returned: when diff mode is on
  type: dict
  contains:
    before:
      description: C(forms), the forms before the run, by id, with template_id, name, status and visibility.
      type: dict
    after:
      description: C(forms), the forms after the run (forms to add are keyed C(new 1), C(new 2) in check mode).
      type: dict
"""

from ansible_collections.jira.addons.plugins.module_utils.form_apply import reconcile_forms
from ansible_collections.jira.addons.plugins.module_utils.forms_apply import apply_to_issues
from ansible_collections.jira.addons.plugins.module_utils.module import JiraModule
from ansible_collections.jira.addons.plugins.module_utils.proforma_api import ProformaApi


def apply_forms(module):
    """Reconcile the forms on the issue, or on every issue of ``issues`` or ``jql``; bad input fails first."""
    p = module.params
    settle_timeout = 3 * p["timeout"] if p["settle_timeout"] is None else p["settle_timeout"]
    if p["issue"] is None:
        declaration = dict((name, p[name]) for name in ("template_id", "count", "form_id", "status", "visibility"))
        return apply_to_issues(
            ProformaApi(module.client),
            declaration,
            issues=p["issues"],
            jql=p["jql"],
            check_mode=module.check_mode,
            concurrency=module.client.concurrency,
            settle_timeout=settle_timeout,
        )
    return reconcile_forms(
        ProformaApi(module.client),
        p["issue"],
        p["template_id"],
        p["count"],
        p["form_id"],
        p["status"],
        p["visibility"],
        module.check_mode,
        settle_timeout,
    )


def shape(module, result):
    """The module result: warnings shown, the diff only in diff mode (one per issue with issues or jql)."""
    result = dict(result)
    for warning in result.pop("warnings", None) or []:
        module.warn(warning)
    if "issues" in result:
        issues = [dict(item) for item in result["issues"]]
        diffs = [item.pop("diff") for item in issues if "diff" in item]
        result["issues"] = issues
        if module._diff:
            result["diff"] = diffs
        return result
    diff = result.pop("diff", None)
    if module._diff and diff is not None:
        result["diff"] = diff
    return result


def context(params):
    """What the module was doing when a read failed, for the message."""
    if params["jql"] is not None:
        return "the JQL search for the issues failed"
    if params["issues"] is not None:
        return "cannot look the issues up"
    return "cannot read the forms of %s" % params["issue"]


def main():
    module = JiraModule(
        argument_spec=dict(
            issue=dict(type="str"),
            issues=dict(type="list", elements="str"),
            jql=dict(type="str"),
            template_id=dict(type="int"),
            count=dict(type="int", default=1),
            form_id=dict(type="int"),
            visibility=dict(type="str", choices=["internal", "external"]),
            status=dict(type="str", choices=["open", "submitted", "locked"]),
            settle_timeout=dict(type="float"),
        ),
        required_one_of=[("template_id", "form_id"), ("issue", "issues", "jql")],
        mutually_exclusive=[("issue", "issues", "jql")],
        required_by={"visibility": "template_id"},
    )
    module.run(apply_forms, shape, context=context(module.params))


if __name__ == "__main__":
    main()
