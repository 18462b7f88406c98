"""ProForma exports: background jobs that write a JSON or XLSX file of form responses.

A job snapshots the responses under the store lock when it starts, then writes them to a temp file
in a thread, streaming (row by row) so that 100,000 synthetic responses never sit in memory. The
document holds no timestamp of the export itself, so two exports of unchanged data are equal.
"""

from __future__ import annotations

import itertools
import json
import os
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from . import jql
from .forms import INDEX_KEY, Template, answer_value, form_key
from .store import FIXTURE_SUBMITTED, Issue, Store

TYPES = {"responses-json": "json", "responses-xlsx": "xlsx"}
CONTENT_TYPES = {
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
BASE_COLUMNS = ["issueKey", "issueId", "formId", "formName", "status", "submitted"]
_ids = itertools.count(int(time.time() * 1000))


@dataclass
class ExportJob:
    """One export: its request, progress and (once complete) the file to download."""

    id: str
    type: str
    project: str
    template: Template
    fields: list[str]
    jql: str | None
    seconds: float
    responses: list[tuple[Any, dict]]
    synthetic: int
    started: float = field(default_factory=time.monotonic)
    processed: int = 0
    complete: bool = False
    failed: bool = False
    message: str | None = None
    final_progress: int = 0
    path: str | None = None

    @property
    def extension(self) -> str:
        """``json`` or ``xlsx``."""
        return TYPES[self.type]

    @property
    def filename(self) -> str:
        """The file name used in the download URL."""
        return f"ProForma-{self.project}-form-{self.template.id}.{self.extension}"

    @property
    def progress(self) -> int:
        """0..100; while running, the lesser of work done and time spent (never 100)."""
        if self.complete:
            return self.final_progress
        total = len(self.responses) + self.synthetic
        done = self.processed / total if total else 1.0
        elapsed = (time.monotonic() - self.started) / self.seconds if self.seconds > 0 else 1.0
        return min(99, int(100 * min(done, elapsed)))


class ExportManager:
    """Starts export jobs and hands each finished file out exactly once."""

    def __init__(self, store: Store):
        self.store = store
        self.jobs: dict[str, ExportJob] = {}
        self.lock = threading.Lock()

    def start(self, type_: str, project: str, template: Template, fields: list[str], query: str | None) -> ExportJob:
        """Snapshot the matching responses and start writing them in a background thread."""
        settings = self.store.settings
        job = ExportJob(
            id=f"{type_}-{project}-{template.id}-{next(_ids)}",
            type=type_,
            project=project,
            template=template,
            fields=fields,
            jql=query,
            seconds=float(settings["export_seconds"]),
            responses=self._snapshot(project, template, fields),
            synthetic=int(settings.get("export_synthetic_responses") or 0),
        )
        with self.lock:
            self.jobs[job.id] = job
        threading.Thread(target=self._run, args=(job,), name=f"export-{job.id}", daemon=True).start()
        return job

    def get(self, export_id: str) -> ExportJob | None:
        """The job with this id, if it still exists."""
        with self.lock:
            return self.jobs.get(export_id)

    def take(self, export_id: str) -> ExportJob | None:
        """Remove and return the job: a download consumes the export."""
        with self.lock:
            return self.jobs.pop(export_id, None)

    def clear(self) -> None:
        """Forget every export and delete the files of finished ones."""
        with self.lock:
            jobs, self.jobs = list(self.jobs.values()), {}
        for job in jobs:
            discard_file(job)

    def _snapshot(self, project: str, template: Template, fields: list[str]) -> list[tuple[Any, dict]]:
        out = []
        for issue in sorted(self.store.issues.values(), key=lambda i: i.id):
            if issue.project != project:
                continue
            for entry in issue.properties.get(INDEX_KEY, {"forms": []})["forms"]:
                if entry["templateId"] != template.id:
                    continue
                form = issue.properties[form_key(entry["id"])]
                out.append((_issue_meta(issue), _response(issue, entry["id"], form, fields, template)))
        return out

    def _run(self, job: ExportJob) -> None:
        try:
            matcher = jql.parse(job.jql)
        except jql.JqlError:
            self._finish(job, failed=True, message="Error constructing JQL query")
            return
        fd, path = tempfile.mkstemp(prefix="proforma-export-", suffix="." + job.extension)
        os.close(fd)
        job.path = path
        try:
            selected = (resp for meta, resp in self._all_responses(job) if matcher(meta))
            if job.extension == "json":
                _write_json(job, path, selected)
            else:
                _write_xlsx(job, path, selected)
        except Exception as exc:  # a broken export must be reported, not kill the thread silently
            self._finish(job, failed=True, message=f"Export failed: {exc}")
            return
        remaining = job.seconds - (time.monotonic() - job.started)
        if remaining > 0:
            time.sleep(remaining)  # exports take time on a real server; clients must poll
        self._finish(job, failed=False, message="Export complete")

    @staticmethod
    def _finish(job: ExportJob, failed: bool, message: str) -> None:
        job.final_progress = job.progress if failed else 100
        job.failed, job.message = failed, message
        if failed:
            discard_file(job)
        job.complete = True

    def _all_responses(self, job: ExportJob) -> Iterator[tuple[Any, dict]]:
        for item in job.responses:
            yield item
            job.processed += 1
        for index in range(job.synthetic):
            yield _synthetic(job, index)
            job.processed += 1


def discard_file(job: ExportJob) -> None:
    """Delete the job's temp file, if any."""
    if job.path and os.path.exists(job.path):
        os.unlink(job.path)
    job.path = None


def _issue_meta(issue: Issue) -> SimpleNamespace:
    # A frozen copy for JQL matching in the export thread (the issue may change meanwhile).
    return SimpleNamespace(key=issue.key, status=issue.status, project=issue.project)


def _field_value(issue: Issue, name: str) -> Any:
    if name == "summary":
        return issue.summary
    if name == "status":
        return issue.status
    if name == "project":
        return issue.project
    return issue.fields.get(name)


def _response(issue: Issue, form_id: int, form: dict, fields: list[str], template: Template) -> dict:
    state, questions = form["state"], form["design"]["questions"]
    answers = {q.get("label", qid): answer_value(state["answers"].get(qid)) for qid, q in questions.items()}
    return {
        "issueKey": issue.key,
        "issueId": issue.id,
        "formId": form_id,
        "formName": form["design"]["settings"]["name"],
        "status": state["status"],
        "submitted": state.get("submitted"),
        "fields": {name: _field_value(issue, name) for name in fields},
        "answers": answers,
    }


def _synthetic(job: ExportJob, index: int) -> tuple[Any, dict]:
    """A generated response, for benchmarks that need many without many issues."""
    key = f"{job.project}-{100000 + index}"
    meta = SimpleNamespace(key=key, status="Open", project=job.project)
    values = {"summary": f"Synthetic issue {index}", "status": "Open", "project": job.project}
    answers = {}
    for qid, question in job.template.questions.items():
        kind = question.get("type", "text")
        answers[question.get("label", qid)] = index if kind == "number" else f"{question.get('label', qid)} {index}"
    response = {
        "issueKey": key,
        "issueId": 900000 + index,
        "formId": 1,
        "formName": job.template.name,
        "status": "s",
        "submitted": FIXTURE_SUBMITTED,
        "fields": {name: values.get(name) for name in job.fields},
        "answers": answers,
    }
    return meta, response


def _write_json(job: ExportJob, path: str, responses: Iterator[dict]) -> None:
    with open(path, "w", encoding="utf-8") as out:
        head = json.dumps({"projectKey": job.project, "templateFormId": job.template.id})
        out.write(head[:-1] + ', "responses": [')
        for index, response in enumerate(responses):
            out.write((", " if index else "") + json.dumps(response, ensure_ascii=False))
        out.write("]}\n")


def _cell(value: Any) -> Any:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, sort_keys=True)
    return value


def _write_xlsx(job: ExportJob, path: str, responses: Iterator[dict]) -> None:
    from openpyxl import Workbook  # imported lazily: only XLSX exports need it

    labels = [q.get("label", qid) for qid, q in job.template.questions.items()]
    workbook = Workbook(write_only=True)  # write_only streams rows to disk
    sheet = workbook.create_sheet("Responses")
    sheet.append(BASE_COLUMNS + job.fields + labels)
    for response in responses:
        row = [response[c] for c in BASE_COLUMNS]
        row += [_cell(response["fields"].get(f)) for f in job.fields]
        row += [_cell(response["answers"].get(label)) for label in labels]
        sheet.append(row)
    workbook.save(path)
