# Copyright: (c) 2026, jira.addons developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Wrappers for the few Jira core endpoints the modules use: issue lookup, issue properties and search."""

from __future__ import annotations

from urllib.parse import quote

from ansible_collections.jira.addons.plugins.module_utils.errors import JiraApiError

ISSUE = "/rest/api/2/issue/%s"
ISSUE_PROPERTY = "/rest/api/2/issue/%s/properties/%s"
SEARCH = "/rest/api/2/search"
# Jira caps a search page at 1000 issues by default (jira.search.views.default.max); paging follows ``total``.
SEARCH_PAGE_SIZE = 1000


def is_issue_id(ref):
    """True when ``ref`` is a numeric issue id rather than an issue key."""
    return str(ref).strip().isdigit()


class JiraCoreApi:
    """Issue lookups, issue property reads and searches."""

    def __init__(self, client):
        self.client = client

    def issue(self, ref):
        """The issue ``{"id", "key"}`` for a key or id; JiraApiError 404 when missing."""
        data = self.client.get(ISSUE % quote(str(ref).strip(), safe=""), params={"fields": ""})
        return {"id": int(data["id"]), "key": data["key"]}

    def issue_id(self, ref):
        """The numeric id of an issue given by key or id.

        A numeric id is used as it is, without a request: the add-on endpoints
        that take it answer 404 themselves when it does not exist.
        """
        if is_issue_id(ref):
            return int(str(ref).strip())
        return self.issue(ref)["id"]

    def issue_property(self, ref, key, missing=None):
        """The value of an issue property, or ``missing`` when the issue has no such property.

        A property may exist and hold null (cleared, not deleted): that is None, whatever ``missing`` is.
        """
        try:
            data = self.client.get(ISSUE_PROPERTY % (quote(str(ref), safe=""), quote(key, safe="")))
        except JiraApiError as err:
            if err.status == 404:
                return missing
            raise
        return (data or {}).get("value")

    def search_issues(self, jql):
        """The issues a JQL search returns, every page: ``[{"id": int, "key": str}]``, in the search's order.

        One request per page (``fields=key``, so Jira sends no field values). A query Jira
        refuses fails with its own message (JiraApiError 400), before anything else is asked.
        """
        params = {"jql": jql, "fields": "key", "startAt": 0, "maxResults": SEARCH_PAGE_SIZE}
        found = []
        while True:
            page = self.client.get(SEARCH, params=dict(params)) or {}
            issues = page.get("issues") or []
            found.extend({"id": int(issue["id"]), "key": issue["key"]} for issue in issues)
            # A page may hold fewer issues than asked for: advance by what came back.
            params["startAt"] += len(issues)
            total = page.get("total")
            if not issues or total is None or params["startAt"] >= int(total):
                return found
