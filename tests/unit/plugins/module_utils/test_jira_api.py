# Copyright: (c) 2026, jira.addons developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""JiraCoreApi.find_issues: many issues found with a few searches, each missing one failing on its own."""

from __future__ import annotations

import re

from ansible_collections.jira.addons.plugins.module_utils.errors import JiraApiError
from ansible_collections.jira.addons.plugins.module_utils.jira_api import JiraCoreApi


class FakeJira(JiraCoreApi):
    """Issues by key; ``moved`` maps old keys to new; a search naming an unknown issue is refused (400)."""

    def __init__(self, issues, moved=None, search_error=None):
        super().__init__(client=None)
        self.issues, self.moved, self.search_error = issues, moved or {}, search_error
        self.searches, self.looked_up = [], []

    def _find(self, ref):
        key = self.moved.get(ref.upper(), ref.upper())
        for issue_key, issue_id in self.issues.items():
            if ref == str(issue_id) or key == issue_key:
                return {"id": issue_id, "key": issue_key}
        return None

    def search_issues(self, jql):
        self.searches.append(jql)
        if self.search_error:
            raise self.search_error
        named = re.findall(r'"([^"]+)"', jql) or re.findall(r"\d+", jql)
        found = [self._find(ref) for ref in named]
        if None in found:
            raise JiraApiError("GET", "/rest/api/2/search", 400, "An issue with key does not exist")
        return found

    def issue(self, ref):
        self.looked_up.append(ref)
        found = self._find(ref)
        if found is None:
            raise JiraApiError("GET", "/rest/api/2/issue/%s" % ref, 404, "Issue does not exist")
        return found


ISSUES = dict(("P-%d" % n, 1000 + n) for n in range(1, 251))


def test_keys_and_ids_are_found_a_batch_a_search():
    jira = FakeJira(ISSUES)
    keys = ["P-%d" % n for n in range(1, 251)]
    found = jira.find_issues(keys + ["1007", " P-3 "], concurrency=3)
    assert jira.looked_up == []
    assert len(jira.searches) == 4  # 250 keys in searches of 100, one for the id
    assert "id in (1007)" in jira.searches
    assert sorted(len(re.findall('"P-', jql)) for jql in jira.searches) == [0, 50, 100, 100]
    assert sorted(found) == sorted(keys + ["1007"])  # refs stripped, each once
    assert found["P-250"].value == {"id": 1250, "key": "P-250"} and found["1007"].value["key"] == "P-7"


def test_a_refused_batch_is_looked_up_one_by_one_and_only_the_missing_issue_fails():
    jira = FakeJira(ISSUES)
    found = jira.find_issues(["P-1", "P-999", "p-2"])
    assert jira.searches == ['key in ("P-1", "P-999", "p-2")'] and jira.looked_up == ["P-1", "P-999", "p-2"]
    assert found["P-1"].value["id"] == 1001 and found["p-2"].value["key"] == "P-2"
    assert found["P-999"].failed and found["P-999"].error.status == 404


def test_a_key_the_issue_has_moved_from_is_looked_up_on_its_own():
    # The search finds the issue under its new key; the lookup follows the move, as Jira's does.
    jira = FakeJira(ISSUES, moved={"OLD-1": "P-5"})
    found = jira.find_issues(["OLD-1", "P-6"])
    assert jira.looked_up == ["OLD-1"]
    assert found["OLD-1"].value == {"id": 1005, "key": "P-5"} and found["P-6"].value["id"] == 1006


def test_a_search_failing_otherwise_is_each_refs_outcome_without_a_lookup_each():
    down = JiraApiError("GET", "/rest/api/2/search", 503, "Service Unavailable")
    jira = FakeJira(ISSUES, search_error=down)
    found = jira.find_issues(["P-1", "P-2"])
    assert jira.looked_up == [] and all(found[ref].error is down for ref in ("P-1", "P-2"))


def test_a_ref_that_is_no_key_is_looked_up_without_a_search():
    jira = FakeJira(ISSUES)
    found = jira.find_issues(['P-1") OR project = X OR key in ("P-2'])
    assert jira.searches == [] and found.popitem()[1].error.status == 404
