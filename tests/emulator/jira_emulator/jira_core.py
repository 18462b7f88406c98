"""The few Jira core REST endpoints the collection uses: issue, issue properties, myself, search.

An issue the user cannot browse is answered exactly like a missing one (404), as Jira does.
"""

from __future__ import annotations

from typing import Any

from . import jql
from .forms import shapes_of, shown_property
from .store import Issue, Store
from .web import Request, Response, Router, jira_error, json_response

BASE = "/rest/api/2"
NO_ISSUE = "Issue does not exist or you do not have permission to see it."
SEARCH_MAX_RESULTS = 1000


def register(router: Router, store: Store) -> None:
    """Add the Jira core routes to ``router``."""
    routes = JiraCoreRoutes(store)
    router.add("GET", BASE + "/issue/{issueIdOrKey}", routes.issue)
    router.add("GET", BASE + "/issue/{issueIdOrKey}/properties/{propertyKey}", routes.property)
    router.add("GET", BASE + "/myself", routes.myself)
    router.add("GET", BASE + "/search", routes.search)


class JiraCoreRoutes:
    """Handlers for the Jira core endpoints."""

    def __init__(self, store: Store):
        self.store = store

    def _visible_issue(self, req: Request) -> Issue:
        issue = self.store.issue(req.params["issueIdOrKey"])
        if issue is None or not req.user.can(issue.project, "browse"):
            raise jira_error(404, NO_ISSUE)
        return issue

    def _fields(self, issue: Issue, wanted: list[str] | None) -> dict[str, Any]:
        project = self.store.projects[issue.project]
        every = {
            "summary": issue.summary,
            "status": {"name": issue.status},
            "project": {"id": str(project.id), "key": project.key, "name": project.name},
            **issue.fields,
        }
        if wanted is None or "*all" in wanted or "*navigable" in wanted:
            return every
        return {name: every[name] for name in wanted if name in every}

    def _issue_json(self, req: Request, issue: Issue, wanted: list[str] | None) -> dict[str, Any]:
        return {
            "id": str(issue.id),
            "key": issue.key,
            "self": f"{req.base_url}{BASE}/issue/{issue.id}",
            "fields": self._fields(issue, wanted),
        }

    @staticmethod
    def _wanted(req: Request) -> list[str] | None:
        raw = req.query.get("fields")
        return None if raw is None else [f.strip() for f in raw.split(",") if f.strip()]

    def issue(self, req: Request) -> Response:
        """GET issue/{issueIdOrKey}?fields=: ``fields=`` (empty) returns no fields at all."""
        issue = self._visible_issue(req)
        return json_response(200, self._issue_json(req, issue, self._wanted(req)))

    def property(self, req: Request) -> Response:
        """GET issue/{issueIdOrKey}/properties/{propertyKey} (read-only; forms in the ``forms_shapes`` setting)."""
        issue = self._visible_issue(req)
        key = req.params["propertyKey"]
        exists, value = shown_property(issue.key, issue.properties, key, shapes_of(self.store.settings))
        if not exists:
            raise jira_error(404, f"Property with key '{key}' does not exist on issue {issue.key}.")
        return json_response(200, {"key": key, "value": value})

    def myself(self, req: Request) -> Response:
        """GET myself: the authenticated user."""
        user = req.user
        return json_response(
            200,
            {
                "self": f"{req.base_url}{BASE}/user?username={user.name}",
                "name": user.name,
                "key": user.name,
                "displayName": user.display_name,
                "emailAddress": user.email,
                "active": True,
            },
        )

    def search(self, req: Request) -> Response:
        """GET search?jql=&startAt=&maxResults=&fields=: browsable issues matching the JQL subset."""
        named: list[tuple[str, str]] = []
        try:
            matcher = jql.parse(req.query.get("jql"), named)
        except jql.JqlError as exc:
            raise jira_error(400, f"Error in the JQL Query: {exc}") from None
        start = _int_param(req, "startAt", 0)
        size = min(_int_param(req, "maxResults", self.store.settings["default_max_results"]), SEARCH_MAX_RESULTS)
        browsable = [
            i for i in sorted(self.store.issues.values(), key=lambda i: i.id) if req.user.can(i.project, "browse")
        ]
        # As Jira: a search naming an issue it does not show (deleted, or not browsable) is refused whole.
        shown = {str(i.key).lower() for i in browsable} | {str(i.id) for i in browsable}
        missing = [(field, value) for field, value in named if value.lower() not in shown]
        if missing:
            messages = [
                "An issue with key '%s' does not exist for field '%s'." % (value, field) for field, value in missing
            ]
            raise jira_error(400, *messages)
        found = [i for i in browsable if matcher(i)]
        wanted = self._wanted(req)
        issues = [self._issue_json(req, i, wanted) for i in found[start : start + size]]
        return json_response(200, {"startAt": start, "maxResults": size, "total": len(found), "issues": issues})


def _int_param(req: Request, name: str, default: int) -> int:
    raw = req.query.get(name)
    if raw in (None, ""):
        return default
    if not raw.isdigit():
        raise jira_error(400, f"The value '{raw}' is invalid for the {name} parameter.")
    return int(raw)
