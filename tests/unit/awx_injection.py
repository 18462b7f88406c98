# Copyright: (c) 2026, jira.addons developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""AWX's handling of a custom credential type, reproduced for the tests.

What AWX checks when the type is saved (``CredentialTypeInputField`` and
``CredentialTypeInjectorField`` in https://github.com/ansible/awx/blob/devel/awx/main/fields.py):
the keys a field may have (``choices``: a non-empty list of unique strings, only on a string
field), that a ``default`` has the field's type, and that every injector template renders with
``StrictUndefined`` when each defined field is ``"EXAMPLE"``.

What AWX does when a credential is saved, from the API, awx.awx.credential or a credential form
(``CredentialInputField`` in the same file, reached through ``BaseSerializer.validate``'s
``full_clean`` in awx/api/serializers.py, which copies the cleaned values back):

- an input whose value is falsy (``""``, ``null``, ``false``) is replaced by
  ``CredentialType.default_for_field``: the *first choice* of a field with choices, else ``""``
  or ``False``; a field's ``default`` is not used;
- the inputs are then checked against a JSON schema built from the fields: no unknown key,
  each value of its field's type, and one of the ``choices`` (``enum``) when the field has some.
  An input left out stays out: nothing fills it in.

What AWX does when a job starts (``CredentialType.inject_credential`` in
https://github.com/ansible/awx/blob/devel/awx/main/models/credential/__init__.py, moved to
``awx_plugins.interfaces._temporary_private_inject_api.inject_credential`` in
https://github.com/ansible/awx-plugins):

- the template namespace holds the credential's stored inputs; an empty string is left out,
  so the template sees an undefined name, which renders as ``""`` (the sandbox is a plain
  ``ImmutableSandboxedEnvironment()``, not ``StrictUndefined``) and is falsy;
- a boolean field missing from the stored inputs is put in the namespace as ``False``: a
  field's ``default`` is not used here; a missing string field stays undefined;
- each ``env`` template is rendered with that sandbox; ``True``/``False`` render as
  ``"True"``/``"False"``;
- the rendered variables join the job's environment (``RunJob.build_env`` in
  awx/main/tasks/jobs.py), which AWX hands to ansible-runner as ``envvars``: ansible-runner, the
  engine AWX runs every job with, keeps them in ``env/envvars`` of the job's private data directory,
  beside ``env/extravars``, ``inventory/`` and the playbook in ``project/`` (``private_data_dir``).

What the two credential forms send:

- AWX's own UI (``CredentialForm.js`` and ``CredentialAdd.js`` under
  https://github.com/ansible/awx/tree/devel/awx/ui/src/screens/Credential): every field of the
  type, a string as its ``default`` or ``""``, a boolean as its ``default`` or ``False``, a field
  with choices as its ``default`` (left out when it has none), unless the user changed it;
- the Automation Platform UI (``frontend/awx/access/credentials/CredentialForm.tsx`` in
  https://github.com/ansible/ansible-ui): a field with choices as its ``default``
  (``PageFormSelect defaultValue={field?.default}``), a checkbox only once the user ticks or
  unticks it (``PageFormCheckbox`` gets no ``defaultValue``), a text field only when filled in
  (sent as ``""`` or left out, an empty text field renders as ``""``).
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import yaml
from jinja2 import StrictUndefined
from jinja2.sandbox import ImmutableSandboxedEnvironment

REPO = Path(__file__).resolve().parents[2]
CREDENTIAL_TYPE_FILE = REPO / "docs" / "awx" / "jira_credential_type.yml"
GUIDE_FILE = REPO / "docs" / "docsite" / "rst" / "guide_awx.rst"

# CredentialTypeInputField's JSON schema for one field.
FIELD_KEYS = frozenset(
    ("id", "label", "type", "format", "choices", "help_text", "multiline", "secret", "ask_at_runtime", "default")
)
FIELD_TYPES = {"string": str, "boolean": bool}
FIELD_FORMATS = frozenset(("ssh_private_key", "url"))
# Keys only a string field may have.
STRING_ONLY_KEYS = frozenset(("choices", "multiline", "format", "secret"))


def load_credential_type(path=CREDENTIAL_TYPE_FILE):
    """The credential type definition shipped in the repository."""
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def fields(credential_type):
    """The input fields by id."""
    return {field["id"]: field for field in credential_type["inputs"]["fields"]}


def ui_inputs(credential_type, **values):
    """The inputs AWX's own credential form submits when the user fills in ``values``."""
    inputs = {}
    for field in credential_type["inputs"]["fields"]:
        if "choices" in field:
            if "default" in field:
                inputs[field["id"]] = field["default"]
        elif field.get("type", "string") == "boolean":
            inputs[field["id"]] = field.get("default", False)
        else:
            inputs[field["id"]] = field.get("default", "")
    inputs.update(values)
    return inputs


def platform_ui_inputs(credential_type, **values):
    """The inputs the Automation Platform credential form submits when the user fills in ``values``."""
    inputs = {
        field["id"]: field["default"]
        for field in credential_type["inputs"]["fields"]
        if "choices" in field and "default" in field
    }
    inputs.update(values)
    return inputs


class InputsRefused(Exception):
    """AWX answers 400 to a credential with these inputs; ``errors`` maps each input to its message."""

    def __init__(self, errors):
        super().__init__(errors)
        self.errors = errors


def default_for_field(credential_type, field_id):
    """``CredentialType.default_for_field``: what AWX puts in place of a falsy input (None: leave it)."""
    for field in credential_type["inputs"]["fields"]:
        if field["id"] == field_id:
            if "choices" in field:
                return field["choices"][0]
            return {"string": "", "boolean": False}[field.get("type", "string")]
    return None


def saved_inputs(credential_type, inputs):
    """The inputs AWX stores for a credential created with ``inputs``; raises InputsRefused on a 400."""
    stored = dict(inputs)
    for name, value in inputs.items():
        if not value:
            default = default_for_field(credential_type, name)
            if default is not None:
                stored[name] = default
    by_id = fields(credential_type)
    errors = {}
    for name, value in stored.items():
        field = by_id.get(name)
        if field is None:
            errors[name] = "Additional properties are not allowed (%r was unexpected)" % name
        elif not isinstance(value, FIELD_TYPES[field.get("type", "string")]):
            errors[name] = "%r is not of type %r" % (value, field.get("type", "string"))
        elif "choices" in field and value not in field["choices"]:
            errors[name] = "%r is not one of %r" % (value, field["choices"])
    if errors:
        raise InputsRefused(errors)
    return stored


def render_env(credential_type, inputs):
    """The environment variables AWX injects for a credential with these stored ``inputs``."""
    namespace = {}
    for name, value in inputs.items():
        if isinstance(value, bool) or value:
            namespace[name] = value
    for field in credential_type["inputs"]["fields"]:
        if field.get("type", "string") == "boolean" and field["id"] not in inputs:
            namespace[field["id"]] = False
    sandbox = ImmutableSandboxedEnvironment()
    return {
        name: sandbox.from_string(template).render(**namespace)
        for name, template in credential_type["injectors"].get("env", {}).items()
    }


def job_private_data_dir(path, playbook, envvars, extravars=None, inventory="localhost ansible_connection=local\n"):
    """Lay out ansible-runner's private data directory ``path`` for a job, as AWX does before it starts one.

    ``playbook`` (its text) becomes ``project/job.yml``; ``envvars`` (the job's environment, with what
    the credentials inject) ``env/envvars``; ``extravars`` ``env/extravars``; ``inventory``
    ``inventory/hosts``. Returns ``path`` (a pathlib.Path).
    """
    path = Path(path)
    for name in ("env", "inventory", "project"):
        (path / name).mkdir(parents=True, exist_ok=True)
    (path / "project" / "job.yml").write_text(playbook, encoding="utf-8")
    (path / "inventory" / "hosts").write_text(inventory, encoding="utf-8")
    if any(not isinstance(value, str) for value in envvars.values()):
        raise TypeError("environment variables are strings: %r" % envvars)
    (path / "env" / "envvars").write_text(yaml.safe_dump(dict(envvars)), encoding="utf-8")
    (path / "env" / "extravars").write_text(yaml.safe_dump(dict(extravars or {})), encoding="utf-8")
    # AWX runs jobs inside an execution environment; without one, ansible-runner runs the
    # playbook as a plain process.
    (path / "env" / "settings").write_text(yaml.safe_dump({"process_isolation": False}), encoding="utf-8")
    return path


def validation_errors(credential_type):
    """What AWX would refuse when this credential type is saved (an empty list: nothing)."""
    errors = []
    if credential_type.get("kind") not in ("cloud", "net"):
        errors.append("custom credential types must be of kind cloud or net")
    inputs = credential_type.get("inputs", {})
    errors += ["inputs: unknown key %s" % key for key in sorted(set(inputs) - {"fields", "required"})]
    ids = []
    for field in inputs.get("fields", []):
        ids.append(field.get("id"))
        field_type = field.get("type", "string")
        name = field.get("id")
        errors += ["%s: unknown key %s" % (name, key) for key in sorted(set(field) - FIELD_KEYS)]
        if "id" not in field or "label" not in field:
            errors.append("%s: a field needs id and label" % name)
        if field_type not in FIELD_TYPES:
            errors.append("%s: type must be string or boolean" % name)
            continue
        if "default" in field and not isinstance(field["default"], FIELD_TYPES[field_type]):
            errors.append("%s: default is not a %s" % (name, field_type))
        if field_type != "string":
            errors += ["%s: %s not allowed for a %s" % (name, key, field_type) for key in STRING_ONLY_KEYS & set(field)]
        if "format" in field and field["format"] not in FIELD_FORMATS:
            errors.append("%s: unknown format %s" % (name, field["format"]))
        choices = field.get("choices")
        if choices is not None and (
            not isinstance(choices, list)
            or not choices
            or not all(isinstance(choice, str) for choice in choices)
            or len(set(choices)) != len(choices)
        ):
            errors.append("%s: choices must be a non-empty list of unique strings" % name)
    if len(set(ids)) != len(ids):
        errors.append("field ids must be unique")
    errors += ["required: %s is not a field" % name for name in inputs.get("required", []) if name not in ids]
    injectors = credential_type.get("injectors", {})
    errors += ["injectors: unknown key %s" % key for key in sorted(set(injectors) - {"env", "extra_vars", "file"})]
    namespace = dict.fromkeys(ids, "EXAMPLE")
    strict = ImmutableSandboxedEnvironment(undefined=StrictUndefined)
    for kind, templates in injectors.items():
        for key, template in templates.items():
            if kind == "env" and key.startswith("ANSIBLE_"):
                errors.append("%s: ANSIBLE_ variables are reserved" % key)
            if not isinstance(template, str) or not template.isascii():
                errors.append("%s: a template must be an ASCII string" % key)
                continue
            try:
                strict.from_string(template).render(**namespace)
            except Exception as err:  # noqa: BLE001 - AWX refuses any error here
                errors.append("%s: %s" % (key, err))
    return errors


def rst_code_blocks(path=GUIDE_FILE):
    """The ``code-block`` directives of an rst file, as (language, dedented text) in file order."""
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    blocks = []
    index = 0
    while index < len(lines):
        match = re.match(r"^( *)\.\. code-block:: (\S+)\s*$", lines[index])
        index += 1
        if not match:
            continue
        indent = len(match.group(1))
        body = []
        while index < len(lines) and (
            not lines[index].strip() or len(lines[index]) - len(lines[index].lstrip()) > indent
        ):
            body.append(lines[index])
            index += 1
        blocks.append((match.group(2), textwrap.dedent("\n".join(body)).strip("\n") + "\n"))
    return blocks


def guide_block(containing):
    """The one code block of the AWX guide that contains the text ``containing``."""
    found = [text for _language, text in rst_code_blocks() if containing in text]
    if len(found) != 1:
        raise AssertionError("%d code blocks of %s contain %r" % (len(found), GUIDE_FILE.name, containing))
    return found[0]
