"""ProForma Customer API: the 7 operations of ``proforma-openapi.yaml``.

Each operation answers only the status codes the OpenAPI file documents for it, with bodies that
match its schemas (ClientApiError, ForbiddenApiError, NotFoundApiError, ...).
"""

from __future__ import annotations

import os
from typing import Any

from .exports import CONTENT_TYPES, TYPES, ExportManager, discard_file
from .forms import Template, form_ids, form_key, new_form, now_iso, put_form
from .store import Issue, Store
from .web import ApiError, Request, Response, Router, empty_response, json_response, proforma_error

BASE = "/rest/proforma/1"
EXPORT_PERMISSION = "Access to this API requires a user with the 'ProForma: Export All Data' global permission"
MAX_ADD = 100


def register(router: Router, store: Store, exports: ExportManager) -> None:
    """Add the ProForma routes to ``router``."""
    routes = ProFormaRoutes(store, exports)
    router.add("POST", BASE + "/export", routes.start_export)
    router.add("GET", BASE + "/export/{exportId}", routes.export_status)
    router.add("GET", BASE + "/export/{exportId}/{filename}", routes.export_download)
    router.add("POST", BASE + "/issue/{issueKey}/form", routes.add_form)
    router.add("POST", BASE + "/issue/{issueKey}/form/{formId}/submit", routes.submit)
    router.add("POST", BASE + "/issue/{issueKey}/form/{formId}/reopen", routes.reopen)
    router.add("POST", BASE + "/issue/{issueKey}/form/{formId}/unlock", routes.unlock)


def client_error(message: str) -> ApiError:
    """400 ClientApiError."""
    return proforma_error(400, "client", message)


def forbidden(message: str) -> ApiError:
    """403 ForbiddenApiError."""
    return proforma_error(403, "forbidden", message)


def _whole_number(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not float(value).is_integer():
        return None
    return int(value)


class ProFormaRoutes:
    """Handlers for the ProForma endpoints."""

    def __init__(self, store: Store, exports: ExportManager):
        self.store = store
        self.exports = exports

    # -- exports ------------------------------------------------------------------------------

    def _require_export(self, req: Request) -> None:
        if not req.user.export:
            raise forbidden(EXPORT_PERMISSION)

    def start_export(self, req: Request) -> Response:
        """POST export: validate the ExportRequest and start a background export."""
        self._require_export(req)
        body = req.json(client_error)
        if not isinstance(body, dict):
            raise client_error("The request body must be an ExportRequest object")
        type_, project, template_id = (
            body.get("type"),
            body.get("projectKey"),
            _whole_number(body.get("templateFormId")),
        )
        if type_ not in TYPES:
            raise client_error(f"Unsupported export type {type_!r}; supported: {', '.join(TYPES)}")
        if not isinstance(project, str) or project not in self.store.projects:
            raise client_error(f"Project {project!r} does not exist")
        template = self.store.templates.get(template_id) if template_id is not None else None
        if template is None:
            raise client_error(f"Template form {body.get('templateFormId')!r} does not exist")
        fields = body.get("fields") or []
        if not isinstance(fields, list) or not all(isinstance(f, str) for f in fields):
            raise client_error('"fields" must be a list of Jira field names')
        query = body.get("jql")
        if query is not None and not isinstance(query, str):
            raise client_error('"jql" must be a string')
        job = self.exports.start(type_, project, template, fields, query)
        return json_response(
            200, {"type": job.type, "id": job.id, "statusUrl": f"{req.base_url}{BASE}/export/{job.id}"}
        )

    def export_status(self, req: Request) -> Response:
        """GET export/{exportId}: progress; downloadUrl once complete."""
        self._require_export(req)
        export_id = req.params["exportId"]
        job = self.exports.get(export_id)
        if job is None:
            raise proforma_error(404, "notFound", f"Export {export_id} not found")
        status: dict[str, Any] = {
            "type": job.type,
            "id": job.id,
            "complete": job.complete,
            "failed": job.failed,
            "progress": job.progress,
        }
        if job.complete and not job.failed:
            status["downloadUrl"] = f"{req.base_url}{BASE}/export/{job.id}/{job.filename}"
        if job.message and job.complete:
            status["message"] = job.message
        return json_response(200, status)

    def export_download(self, req: Request) -> Response:
        """GET export/{exportId}/{filename}: stream the file once, then forget the export."""
        self._require_export(req)
        export_id, filename = req.params["exportId"], req.params["filename"]
        job = self.exports.get(export_id)
        if job is None or filename != job.filename:
            raise proforma_error(404, "notFound", f"Export {export_id} with file {filename} not found")
        if not job.complete:
            raise client_error(f"Export {export_id} has not finished yet ({job.progress}% done)")
        if job.failed or not job.path:
            raise client_error(f"Export {export_id} failed and has no file: {job.message}")
        self.exports.take(export_id)
        return Response(
            200,
            content_type=CONTENT_TYPES[job.extension],
            headers={"Content-Disposition": f'attachment; filename="{job.filename}"'},
            file_path=job.path,
            file_size=os.path.getsize(job.path),
            on_sent=lambda: discard_file(job),
        )

    # -- forms --------------------------------------------------------------------------------

    def _issue_for_write(self, req: Request) -> Issue:
        key = req.params["issueKey"]
        issue = self.store.issue(key) if not key.isdigit() else None
        if issue is None:
            raise client_error(f"Issue {key} does not exist")
        if not req.user.can(issue.project, "edit"):
            raise forbidden(f"User '{req.user.name}' does not have the edit issue permission on {issue.key}")
        return issue

    def add_form(self, req: Request) -> Response:
        """POST issue/{issueKey}/form: add ``add`` copies of a template form; 200 without a body."""
        body = req.json(client_error)
        if not isinstance(body, dict):
            raise client_error("The request body must be an AddFormRequest object")
        template_id = _whole_number(body.get("templateFormId"))
        if template_id is None:
            raise client_error(f"templateFormId must be a number, got {body.get('templateFormId')!r}")
        visibility = body.get("visibility", "i")
        if visibility not in ("i", "e"):
            raise client_error(f"visibility must be 'i' or 'e', got {visibility!r}")
        count = _whole_number(body.get("add", 1))
        if count is None or not 1 <= count <= MAX_ADD:
            raise client_error(f"add must be a whole number from 1 to {MAX_ADD}, got {body.get('add')!r}")
        issue = self._issue_for_write(req)
        template = self.store.templates.get(template_id)
        if template is None:
            return empty_response(404)  # the operation documents a 404 without a body
        for _copy in range(count):
            # Form ids grow per issue and are never reused, even after a form is deleted.
            put_form(issue.properties, issue.next_form_id, new_form(template, "o", visibility, {}, None))
            issue.next_form_id += 1
        return empty_response(200)

    def _form(self, req: Request, issue: Issue) -> tuple[int, dict]:
        raw = req.params["formId"]
        form_id = int(raw) if raw.isdigit() else None
        if form_id is None or form_id not in form_ids(issue.properties):
            raise client_error(f"Form {raw} does not exist on issue {issue.key}")
        return form_id, issue.properties[form_key(form_id)]

    def _change(self, req: Request, expected: str, action: str) -> tuple[Issue, int, dict]:
        issue = self._issue_for_write(req)
        form_id, form = self._form(req, issue)
        status = form["state"]["status"]
        if status != expected:
            names = {"o": "open", "s": "submitted", "l": "locked"}
            raise client_error(
                f"Form {form_id} on {issue.key} is {names[status]}; only a {names[expected]} form can be {action}"
            )
        return issue, form_id, form

    def submit(self, req: Request) -> Response:
        """POST .../submit: o -> s, or -> l when the template locks on submit."""
        issue, form_id, form = self._change(req, "o", "submitted")
        state = form["state"]
        state["status"] = "l" if form["design"]["settings"]["submit"]["lock"] else "s"
        state["submitted"] = now_iso()
        put_form(issue.properties, form_id, form)
        template: Template | None = self.store.templates.get(form["design"]["settings"]["templateId"])
        target = template.transition_on_submit if template else None
        transitioned = bool(target) and issue.status != target
        if transitioned:
            issue.status = target
        return json_response(200, {"status": state["status"], "transitioned": transitioned})

    def reopen(self, req: Request) -> Response:
        """POST .../reopen: s -> o."""
        issue, form_id, form = self._change(req, "s", "reopened")
        form["state"]["status"] = "o"
        form["state"].pop("submitted", None)
        put_form(issue.properties, form_id, form)
        return json_response(200, {"status": "o", "transitioned": False})

    def unlock(self, req: Request) -> Response:
        """POST .../unlock: l -> s."""
        issue, form_id, form = self._change(req, "l", "unlocked")
        form["state"]["status"] = "s"
        put_form(issue.properties, form_id, form)
        return json_response(200, {"status": "s", "transitioned": False})
