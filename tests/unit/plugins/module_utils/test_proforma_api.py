# Copyright: (c) 2026, jira.addons developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

from ansible_collections.jira.addons.plugins.module_utils.client import JiraClient
from ansible_collections.jira.addons.plugins.module_utils.proforma_api import ProformaApi

NO_PROPERTY = (404, {}, {"errorMessages": ["Property with key 'proforma.forms' does not exist"]})


def test_the_index_tells_a_missing_property_from_a_cleared_one(server):
    server.script = [
        NO_PROPERTY,
        (200, {}, {"key": "proforma.forms", "value": None}),
        (200, {}, {"key": "proforma.forms", "value": {"forms": [{"id": 1}]}}),
    ]
    api = ProformaApi(JiraClient(server.url))
    assert api.form_index("DEMO-1") is None  # no property: the issue is checked to exist
    assert api.form_index("DEMO-1") == []  # cleared, not deleted: no forms
    assert api.form_index("DEMO-1") == [{"id": 1}]
    assert [r["path"] for r in server.requests] == ["/rest/api/2/issue/DEMO-1/properties/proforma.forms"] * 3


def test_parts_of_a_chunked_design_are_the_sibling_properties(server):
    server.script = [(200, {}, {"key": "proforma.forms.i3.1", "value": {"part": "2/2", "data": "e30="}}), NO_PROPERTY]
    api = ProformaApi(JiraClient(server.url))
    assert api.form_part("DEMO-1", 3, 1) == {"part": "2/2", "data": "e30="}
    assert api.form_part("DEMO-1", 3, 2) is None
    assert [r["path"] for r in server.requests] == [
        "/rest/api/2/issue/DEMO-1/properties/proforma.forms.i3.1",
        "/rest/api/2/issue/DEMO-1/properties/proforma.forms.i3.2",
    ]
