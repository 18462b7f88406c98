# Copyright: (c) 2026, jira.addons developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Wrappers for the few Jira core endpoints the modules use: issue lookup, issue properties and search."""

from __future__ import annotations

import re
from urllib.parse import quote

from ansible_collections.jira.addons.plugins.module_utils.errors import JiraApiError
from ansible_collections.jira.addons.plugins.module_utils.workers import Outcome, run_all

ISSUE = "/rest/api/2/issue/%s"
ISSUE_PROPERTY = "/rest/api/2/issue/%s/properties/%s"
SEARCH = "/rest/api/2/search"
# Jira caps a search page at 1000 issues by default (jira.search.views.default.max); paging follows ``total``.
SEARCH_PAGE_SIZE = 1000
# Issues named in one search (``id in (...)``, ``key in (...)``): about 2 KB of URL either way,
# well under the 8 KB that Jira's Tomcat and most proxies accept.
FIND_BATCH = {"id": 200, "key": 100}
ISSUE_KEY = re.compile(r"^[A-Za-z][A-Za-z0-9_]*-[0-9]+$")


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

    def find_issues(self, refs, concurrency=1):
        """``{ref: Outcome}`` for issue keys and ids: the issue ``{"id", "key"}``, or the error of its own lookup.

        Many are found in one search (``key in (...)``, ``id in (...)``, ``FIND_BATCH`` a request, up to
        ``concurrency`` at once), where a lookup each would cost a request each. Jira refuses a whole
        search that names an issue it does not show (400: deleted, or not browsable); the refs of such a
        batch, and those a search does not return under the name given (a key the issue has since moved
        from), are looked up one by one, so that each missing issue fails on its own, with Jira's 404.
        Any other failure of a search is the outcome of each of its refs.
        """
        refs = list(dict.fromkeys(str(ref).strip() for ref in refs))
        ids = [ref for ref in refs if is_issue_id(ref)]
        keys = [ref for ref in refs if not is_issue_id(ref) and ISSUE_KEY.match(ref)]
        batches = []
        for field, names in (("id", ids), ("key", keys)):
            size = FIND_BATCH[field]
            batches += [(field, names[start:][:size]) for start in range(0, len(names), size)]
        found = {}
        searched = run_all([self._batch_search(field, batch) for field, batch in batches], concurrency)
        for (_field, batch), outcome in zip(batches, searched):
            if outcome.failed and not (isinstance(outcome.error, JiraApiError) and outcome.error.status == 400):
                found.update((ref, outcome) for ref in batch)
            elif not outcome.failed:
                by_name = {}
                for issue in outcome.value:
                    by_name[str(issue["id"])] = by_name[issue["key"].upper()] = issue
                found.update((ref, Outcome(by_name[ref.upper()])) for ref in batch if ref.upper() in by_name)
        alone = [ref for ref in refs if ref not in found]
        looked_up = run_all([lambda ref=ref: self.issue(ref) for ref in alone], concurrency)
        found.update(zip(alone, looked_up))
        return found

    def _batch_search(self, field, batch):
        names = ", ".join(batch) if field == "id" else ", ".join('"%s"' % key for key in batch)
        return lambda: self.search_issues("%s in (%s)" % (field, names))
