# Copyright: (c) 2026, jira.addons developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The AWX credential type in docs/awx/: what AWX accepts, and what the modules make of what it injects."""

from __future__ import annotations

import copy
import inspect
import os
import re

import pytest
import yaml

from ansible_collections.jira.addons.plugins.doc_fragments import connection
from ansible_collections.jira.addons.plugins.module_utils import module as module_base
from ansible_collections.jira.addons.plugins.module_utils.module import JiraModule
from ansible_collections.jira.addons.tests.unit.awx_injection import (
    GUIDE_FILE,
    InputsRefused,
    fields,
    guide_block,
    load_credential_type,
    platform_ui_inputs,
    render_env,
    saved_inputs,
    ui_inputs,
    validation_errors,
)

URL = "https://jira.example.com/jira"
INJECTED = {"JIRA_URL", "JIRA_USERNAME", "JIRA_PASSWORD", "JIRA_TOKEN", "JIRA_VALIDATE_CERTS"}
CONNECTION = ("url", "username", "password", "token", "validate_certs")


@pytest.fixture(scope="module")
def credential_type():
    return load_credential_type()


def show_connection():
    """A module main() that only builds the connection from the environment."""
    module = JiraModule(argument_spec={})
    module.exit_json(changed=False, connection={name: module.params[name] for name in CONNECTION})


@pytest.fixture
def awx_env(monkeypatch):
    """Replace the JIRA_* environment with what AWX injects for a credential."""

    def apply(env):
        for name in list(os.environ):
            if name.startswith("JIRA_"):
                monkeypatch.delenv(name)
        for name, value in env.items():
            monkeypatch.setenv(name, value)

    return apply


def variables_the_modules_read():
    """JIRA_* names module.py reads: the argspec's env fallbacks and its os.environ lookups."""
    names = set()
    for option in module_base.CONNECTION_ARGSPEC.values():
        fallback = option.get("fallback")
        if fallback:
            names.update(fallback[1])
    names.update(re.findall(r"os\.environ\.get\(\"(JIRA_\w+)\"\)", inspect.getsource(module_base)))
    return names


# -- the definition -------------------------------------------------------------------------------


def test_awx_would_accept_the_credential_type(credential_type):
    assert validation_errors(credential_type) == []


@pytest.mark.parametrize(
    "break_it, expected",
    [
        pytest.param(
            lambda ct: ct["injectors"]["env"].update(JIRA_TOKEN="{{ tokn }}"),
            "JIRA_TOKEN: 'tokn' is undefined",
            id="undefined-field",
        ),
        pytest.param(
            lambda ct: fields(ct)["validate_certs"].update(type="boolean", default=True),
            "validate_certs: choices not allowed for a boolean",
            id="choices-on-a-boolean",
        ),
        pytest.param(
            lambda ct: fields(ct)["validate_certs"].update(default=True),
            "validate_certs: default is not a string",
            id="default-type",
        ),
        pytest.param(
            lambda ct: fields(ct)["validate_certs"].update(choices=["true", "true"]),
            "validate_certs: choices must be a non-empty list of unique strings",
            id="duplicate-choices",
        ),
        pytest.param(
            lambda ct: fields(ct)["validate_certs"].update(choices=[True, False]),
            "validate_certs: choices must be a non-empty list of unique strings",
            id="boolean-choices",
        ),
        pytest.param(
            lambda ct: fields(ct)["url"].update(placeholder="x"), "url: unknown key placeholder", id="unknown-key"
        ),
        pytest.param(lambda ct: ct.update(kind="ssh"), "kind cloud or net", id="kind"),
        pytest.param(
            lambda ct: ct["injectors"]["env"].update(ANSIBLE_X="{{ url }}"),
            "ANSIBLE_X: ANSIBLE_ variables are reserved",
            id="reserved-variable",
        ),
    ],
)
def test_the_awx_checks_catch_what_awx_refuses(credential_type, break_it, expected):
    broken = copy.deepcopy(credential_type)
    break_it(broken)
    assert any(expected in error for error in validation_errors(broken)), validation_errors(broken)


def test_name_kind_and_description(credential_type):
    assert credential_type["name"] == "Jira (jira.addons)"
    assert credential_type["kind"] == "cloud"
    assert "jira.addons" in credential_type["description"]


def test_fields_labels_secrets_and_required(credential_type):
    by_id = fields(credential_type)
    assert list(by_id) == list(CONNECTION)
    for field in by_id.values():
        assert field["label"] and field["help_text"], field["id"]
    assert {name for name, field in by_id.items() if field.get("secret")} == {"password", "token"}
    assert {field.get("type", "string") for field in by_id.values()} == {"string"}, "no boolean: see the YAML"
    assert credential_type["inputs"]["required"] == ["url"]


def test_validate_certs_is_a_dropdown_that_starts_on_true(credential_type):
    field = fields(credential_type)["validate_certs"]
    assert field["choices"] == ["true", "false"]
    assert field["default"] == "true"
    # AWX puts the first choice in place of an empty value, not the default: both must be "true".
    assert field["choices"][0] == field["default"]
    assert [name for name, other in fields(credential_type).items() if "choices" in other] == ["validate_certs"]


def test_the_validate_certs_injector_turns_a_missing_value_into_true(credential_type):
    template = credential_type["injectors"]["env"]["JIRA_VALIDATE_CERTS"]
    assert template == "{{ validate_certs or 'true' }}"


def test_every_injected_variable_is_one_the_modules_read_and_document(credential_type):
    injected = set(credential_type["injectors"]["env"])
    documented = set(re.findall(r"E\((JIRA_\w+)\)", connection.ModuleDocFragment.DOCUMENTATION))
    read = variables_the_modules_read()
    assert injected == INJECTED
    assert injected <= read
    assert injected <= documented
    # A CA bundle is a file, which this credential type does not inject, and concurrency tunes a job rather
    # than saying who connects where (set it in the job's environment); every other variable is injected.
    assert read - injected == {"JIRA_CA_PATH", "JIRA_CONCURRENCY"}
    assert set(credential_type["injectors"]) == {"env"}, "no extra_vars: a module reads no variable"


def test_each_variable_carries_its_own_input(credential_type):
    inputs = {"url": URL, "username": "u-1", "password": "p-2", "token": "t-3", "validate_certs": "false"}
    assert render_env(credential_type, saved_inputs(credential_type, inputs)) == {
        "JIRA_URL": URL,
        "JIRA_USERNAME": "u-1",
        "JIRA_PASSWORD": "p-2",
        "JIRA_TOKEN": "t-3",
        "JIRA_VALIDATE_CERTS": "false",
    }


# -- what AWX stores and renders ------------------------------------------------------------------


def test_awx_form_sends_every_field_with_validate_certs_on_true(credential_type):
    assert ui_inputs(credential_type, url=URL, token="t") == {
        "url": URL,
        "username": "",
        "password": "",
        "token": "t",
        "validate_certs": "true",
    }


def test_platform_form_sends_validate_certs_true_and_only_what_was_filled_in(credential_type):
    assert platform_ui_inputs(credential_type, url=URL, token="t") == {
        "url": URL,
        "token": "t",
        "validate_certs": "true",
    }


def test_unset_inputs_render_as_empty_strings(credential_type):
    env = render_env(credential_type, saved_inputs(credential_type, {"url": URL, "token": "t"}))
    assert env["JIRA_USERNAME"] == env["JIRA_PASSWORD"] == ""
    assert env["JIRA_TOKEN"] == "t"


def test_a_credential_created_through_the_api_without_validate_certs_checks_tls(credential_type, run_module, awx_env):
    # POST /api/v2/credentials/ (or awx.awx.credential) with only url and token.
    stored = saved_inputs(credential_type, {"url": URL, "token": "t"})
    assert "validate_certs" not in stored, "AWX fills nothing in"
    env = render_env(credential_type, stored)
    assert env["JIRA_VALIDATE_CERTS"] == "true"
    awx_env(env)

    result, failed = run_module(show_connection, {})

    assert not failed, result
    assert result["connection"]["validate_certs"] is True


@pytest.mark.parametrize("empty", ["", None, False], ids=["empty-string", "null", "json-false"])
def test_awx_stores_an_empty_validate_certs_as_true(credential_type, empty):
    stored = saved_inputs(credential_type, {"url": URL, "validate_certs": empty})
    assert stored["validate_certs"] == "true"
    assert render_env(credential_type, stored)["JIRA_VALIDATE_CERTS"] == "true"


@pytest.mark.parametrize("value", [True, "True", "yes", "off"])
def test_awx_refuses_a_validate_certs_that_is_not_one_of_the_choices(credential_type, value):
    with pytest.raises(InputsRefused) as refused:
        saved_inputs(credential_type, {"url": URL, "validate_certs": value})
    assert list(refused.value.errors) == ["validate_certs"]


def test_awx_refuses_an_unknown_input(credential_type):
    with pytest.raises(InputsRefused) as refused:
        saved_inputs(credential_type, {"url": URL, "verify": "false"})
    assert list(refused.value.errors) == ["verify"]


def test_with_false_as_the_first_choice_an_empty_value_would_turn_tls_checks_off(credential_type):
    # Why the order of the choices matters: AWX replaces an empty value with choices[0].
    swapped = copy.deepcopy(credential_type)
    fields(swapped)["validate_certs"]["choices"] = ["false", "true"]
    stored = saved_inputs(swapped, {"url": URL, "validate_certs": ""})
    assert render_env(swapped, stored)["JIRA_VALIDATE_CERTS"] == "false"


def test_a_boolean_validate_certs_would_turn_tls_checks_off(credential_type):
    # The design this file replaced: a boolean field with default true and "{{ validate_certs }}".
    boolean = copy.deepcopy(credential_type)
    field = fields(boolean)["validate_certs"]
    del field["choices"]
    field.update(type="boolean", default=True)
    boolean["injectors"]["env"]["JIRA_VALIDATE_CERTS"] = "{{ validate_certs }}"
    assert validation_errors(boolean) == []
    through_the_api = saved_inputs(boolean, {"url": URL, "token": "t"})
    from_the_platform_form = saved_inputs(boolean, platform_ui_inputs(boolean, url=URL, token="t"))
    assert render_env(boolean, through_the_api)["JIRA_VALIDATE_CERTS"] == "False"
    assert render_env(boolean, from_the_platform_form)["JIRA_VALIDATE_CERTS"] == "False"


def test_a_string_validate_certs_without_the_fallback_would_break_every_job(credential_type, run_module, awx_env):
    bare = copy.deepcopy(credential_type)
    bare["injectors"]["env"]["JIRA_VALIDATE_CERTS"] = "{{ validate_certs }}"
    env = render_env(bare, saved_inputs(bare, {"url": URL, "token": "t"}))
    assert env["JIRA_VALIDATE_CERTS"] == ""
    awx_env(env)
    result, failed = run_module(show_connection, {})
    assert failed
    assert "is not a valid boolean" in result["msg"]


# -- what the modules make of it -------------------------------------------------------------------


AUTH = {
    "password": (dict(username="alice", password="alice-pass"), dict(username="alice", password="alice-pass")),
    "token": (dict(token="alice-token"), dict(username=None, password=None, token="alice-token")),
    "anonymous": ({}, dict(username=None, password=None, token=None)),
}
VALIDATE = {
    "true": (dict(validate_certs="true"), True),
    "false": (dict(validate_certs="false"), False),
    # Left as the form shows it, or left out of the API call: TLS checks stay on.
    "untouched": ({}, True),
}
SOURCES = {
    "awx-form": ui_inputs,
    "platform-form": platform_ui_inputs,
    "api": lambda credential_type, **values: values,
}
CASES = [(source, auth, validate) for source in SOURCES for auth in AUTH for validate in VALIDATE]


@pytest.mark.parametrize("source, auth, validate", CASES, ids=["-".join(case) for case in CASES])
def test_every_credential_awx_can_hold_gives_a_working_connection(
    credential_type, run_module, awx_env, source, auth, validate
):
    values, expected = AUTH[auth]
    validate_values, validate_expected = VALIDATE[validate]
    inputs = saved_inputs(credential_type, SOURCES[source](credential_type, url=URL, **values, **validate_values))
    env = render_env(credential_type, inputs)
    assert env["JIRA_VALIDATE_CERTS"] == str(validate_expected).lower()
    awx_env(env)

    result, failed = run_module(show_connection, {})

    assert not failed, result
    unset = dict(url=URL, username=None, password=None, token=None)
    assert result["connection"] == dict(unset, validate_certs=validate_expected, **expected)


def test_password_and_token_both_set_fail_with_a_clear_message(credential_type, run_module, awx_env):
    awx_env(render_env(credential_type, ui_inputs(credential_type, url=URL, username="a", password="p", token="t")))
    result, failed = run_module(show_connection, {})
    assert failed
    assert result["msg"].startswith("JIRA_PASSWORD and JIRA_TOKEN are both set in the environment")


def test_a_password_without_username_fails_with_a_clear_message(credential_type, run_module, awx_env):
    awx_env(render_env(credential_type, ui_inputs(credential_type, url=URL, password="p")))
    result, failed = run_module(show_connection, {})
    assert failed
    assert result["msg"] == "password needs username (or set JIRA_USERNAME)"


def test_options_in_the_task_still_win_over_the_credential(credential_type, run_module, awx_env):
    awx_env(render_env(credential_type, ui_inputs(credential_type, url=URL, token="t", validate_certs="false")))
    result, failed = run_module(
        show_connection, {"url": "https://other.example.com", "username": "bob", "password": "bob-pass"}
    )
    assert not failed, result
    assert result["connection"] == {
        "url": "https://other.example.com",
        "username": "bob",
        "password": "bob-pass",
        "token": None,
        "validate_certs": False,
    }


# -- the guide -------------------------------------------------------------------------------------


def test_the_guide_shows_the_shipped_input_and_injector_configuration(credential_type):
    assert yaml.safe_load(guide_block("id: validate_certs")) == credential_type["inputs"]
    assert yaml.safe_load(guide_block("JIRA_VALIDATE_CERTS:")) == credential_type["injectors"]


def test_the_guide_names_the_credential_type_as_the_file_does(credential_type):
    assert "credential_type: %s\n" % credential_type["name"] in guide_block("awx.awx.credential:")
    assert "**Name**: ``%s``" % credential_type["name"] in GUIDE_FILE.read_text(encoding="utf-8")
