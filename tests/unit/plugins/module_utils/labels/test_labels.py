# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""labels.py: records from each source, the endpoint choice, the filters, drift and the tree."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

import pytest

from ansible_collections.mipconnect.zia.plugins.module_utils import clients as clients_module
from ansible_collections.mipconnect.zia.plugins.module_utils.labels import labels
from ansible_collections.mipconnect.zia.plugins.module_utils.errors import ApiError, MipConnectError
from ansible_collections.mipconnect.zia.tests.unit.plugins.module_utils.fakes import (
    AUTHORITY,
    CLIENT,
    TENANT,
    Answer,
    FakeServices,
)

GRAPH = "https://graph.microsoft.com"


pytestmark = pytest.mark.usefixtures("private_tmp")  # conftest.py: a temp dir per test


def test_a_beta_label_keeps_its_parent_and_flags():
    record = labels.from_beta({"id": "c", "name": "Child", "sensitivity": 3, "isActive": True, "isAppliable": False,
                               "contentFormats": ["file"], "parent": {"id": "p", "name": "Parent"}})
    assert record["parent_id"] == "p" and record["parent_name"] == "Parent" and record["priority"] == 3
    assert (record["active"], record["appliable"], record["content_formats"]) == (True, False, ["file"])
    assert record["source"] == "graph_beta" and set(record) == set(labels.FIELDS)


def test_v1_labels_are_flattened_with_their_parents_and_unknown_fields_are_none():
    item = {"id": "p", "name": "Parent", "displayName": "Parent label",
            "sublabels": [{"id": "c", "name": "Child", "toolTip": "tip"}]}
    parent, child = list(labels._flatten_v1(item))
    assert parent["display_name"] == "Parent label" and parent["parent_id"] is None
    assert (child["parent_id"], child["parent_name"], child["tooltip"]) == ("p", "Parent", "tip")
    assert child["active"] is None and child["content_formats"] is None and child["source"] == "graph_v1.0"


def test_a_zia_tag_is_its_label_id_and_name_only():
    record = labels.from_zia({"tagId": 7, "tagName": "Secret", "tagUUID": "u-1", "deleted": 1})
    assert (record["id"], record["name"], record["zia_id"], record["deleted"]) == ("u-1", "Secret", 7, True)
    assert record["parent_id"] is None and record["priority"] is None


@pytest.mark.parametrize("requested, roles, available, chosen", [
    ("auto", ["InformationProtectionPolicy.Read.All"], ("beta", "v1.0"), "beta"),
    ("auto", ["SensitivityLabels.Read.All"], ("beta", "v1.0"), "v1.0"),
    ("auto", ["InformationProtectionPolicy.Read.All"], ("v1.0",), None),
    ("auto", [], ("beta", "v1.0"), None),
    ("v1.0", [], ("beta", "v1.0"), "v1.0"),
])
def test_the_endpoint_follows_the_token_s_roles_within_the_cloud(requested, roles, available, chosen):
    assert labels.choose_endpoint(requested, roles, available) == chosen


def test_a_guest_s_user_id_is_one_path_segment():
    assert labels.user_labels_path("v1.0", "a_b.com#EXT#@t.onmicrosoft.com") == \
        "/users/a_b.com%23EXT%23@t.onmicrosoft.com/dataSecurityAndGovernance/sensitivityLabels"


def test_filters_keep_what_they_cannot_evaluate_and_count_it():
    unknown = {}
    v1 = {"name": "Secret", "active": None, "appliable": None, "content_formats": None, "parent_id": None}
    assert labels.keep(v1, active_only=True, appliable_to=["file"], unknown=unknown)
    assert unknown == {"active_only": 1, "appliable_to": 1}
    beta = dict(v1, active=False)
    assert not labels.keep(beta, active_only=True)
    assert not labels.keep(dict(v1, content_formats=["email"]), appliable_to=["file"])
    assert not labels.keep(v1, name_regex=re.compile("^Pub"))
    assert labels.keep(dict(v1, parent_name="Confidential"), parent="Confidential")


def test_drift_says_what_zia_lacks_what_microsoft_lost_and_what_was_renamed():
    graph = [{"id": "1", "name": "Public"}, {"id": "2", "name": "Secret"}, {"id": "4", "name": "Gone in ZIA"}]
    zia = [{"id": "2", "name": "Old secret"}, {"id": "3", "name": "Deleted"},
           {"id": "4", "name": "Gone in ZIA", "deleted": True}]
    assert labels.drift(graph, zia) == {
        "not_in_zia_policy": [{"id": "4", "name": "Gone in ZIA"}, {"id": "1", "name": "Public"}],
        "deleted_in_microsoft": [{"id": "3", "name": "Deleted"}],
        "marked_deleted_in_zia": ["4"],
        "renamed": [{"id": "2", "microsoft_name": "Secret", "zia_name": "Old secret"}],
    }


def test_the_tree_nests_children_and_keeps_orphans_at_the_root():
    roots = labels.tree([{"id": "p", "parent_id": None}, {"id": "c", "parent_id": "p"},
                         {"id": "o", "parent_id": "missing"}])
    assert [(r["id"], [c["id"] for c in r["children"]]) for r in roots] == [("p", ["c"]), ("o", [])]


def test_zia_policy_labels_leave_deleted_tags_out_unless_asked():
    class Zia:
        def pages(self, path):
            assert path == "/casbTenant/42/tags/policy"
            return [{"tagUUID": "a", "tagName": "A"}, {"tagUUID": "b", "tagName": "B", "deleted": True}]

    assert [r["id"] for r in labels.zia_policy_labels(Zia(), 42)] == ["a"]
    assert [r["id"] for r in labels.zia_policy_labels(Zia(), 42, include_deleted=True)] == ["a", "b"]


def source_through_clients(fake, **kwargs):
    """A label source as label_run builds it: every Graph client from clients.Clients."""
    clients = clients_module.Clients(dict(cloud="public", authority_url=AUTHORITY, graph_url=None, arm_url=None,
                                          power_platform_url=None, tenant_id=TENANT, auth_client_id=CLIENT,
                                          auth_client_secret="canary-secret", auth_certificate_path=None,
                                          auth_certificate_password=None, token_cache=True))
    clients._http = fake
    graphs = dict((version, clients.graph(version)) for version in labels.ALL_ENDPOINTS)
    return labels.GraphLabelSource(graphs, clients.graph_token, **kwargs)


def test_a_label_read_whose_token_is_refused_gets_a_new_token_and_goes_on():
    fake = FakeServices(roles={GRAPH: ["InformationProtectionPolicy.Read.All"]},
                        script=[Answer(401, {"error": {"code": "InvalidAuthenticationToken"}}),
                                Answer(200, {"value": [{"id": "1", "name": "Public"}]})])
    source = source_through_clients(fake)
    assert [r["name"] for r in source.labels()] == ["Public"]
    assert source.endpoint == "beta"
    assert len(fake.tokens_issued) == 2 and fake.calls[0][2] != fake.calls[1][2]


def test_auto_moves_on_from_an_endpoint_that_refuses_before_any_label():
    fake = FakeServices(roles={GRAPH: ["InformationProtectionPolicy.Read.All", "SensitivityLabels.Read.All"]},
                        script=[Answer(403, {"error": {"code": "Forbidden"}}),
                                Answer(200, {"value": [{"id": "1", "name": "Public"}]})])
    source = source_through_clients(fake)
    assert [r["source"] for r in source.labels()] == ["graph_v1.0"]
    assert source.tried == [{"endpoint": "beta", "status": 403, "code": "Forbidden"},
                            {"endpoint": "v1.0", "status": 200, "code": None}]
    assert fake.calls[1][1].startswith(GRAPH + "/v1.0" + labels.V1_PATH)


def test_an_endpoint_asked_for_by_name_says_which_permission_it_needs():
    fake = FakeServices(script=[Answer(403, {"error": {"code": "Forbidden"}})])
    source = source_through_clients(fake, endpoint="v1.0", consent_url="https://consent.example")
    with pytest.raises(ApiError) as caught:
        list(source.labels())
    assert "SensitivityLabels.Read.All or SensitivityLabel.Read" in caught.value.hint
    assert "https://consent.example" in caught.value.hint


def test_a_token_without_label_roles_is_refused_before_any_label_request():
    fake = FakeServices(roles={GRAPH: ["User.Read.All"]})
    with pytest.raises(MipConnectError) as caught:
        list(source_through_clients(fake).labels())
    assert "it holds: User.Read.All" in str(caught.value) and fake.calls == []
