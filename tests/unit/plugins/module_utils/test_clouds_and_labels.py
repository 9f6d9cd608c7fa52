# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""National clouds: each cloud's endpoints, and label reads that ask only what the cloud has."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import json

import pytest
import requests

from ansible_collections.mipconnect.zia.plugins.module_utils.labels import labels
from ansible_collections.mipconnect.zia.plugins.module_utils.entra.entra_auth import CLOUDS, EntraEndpoints
from ansible_collections.mipconnect.zia.plugins.module_utils.errors import InputError, MipConnectError
from ansible_collections.mipconnect.zia.plugins.module_utils.entra.graph import GraphClient

# (cloud, login, Graph, ARM, Power Platform, Add-PowerAppsAccount -Endpoint, Graph label APIs), from Microsoft's
# national cloud pages and the availability tables of the two label list pages.
ENDPOINTS = [
    ("public", "https://login.microsoftonline.com", "https://graph.microsoft.com", "https://management.azure.com",
     "https://api.bap.microsoft.com", "prod", ("beta", "v1.0")),
    ("usgov", "https://login.microsoftonline.us", "https://graph.microsoft.us", "https://management.usgovcloudapi.net",
     "https://high.api.bap.microsoft.us", "usgovhigh", ("v1.0",)),
    ("usgov_dod", "https://login.microsoftonline.us", "https://dod-graph.microsoft.us",
     "https://management.usgovcloudapi.net", "https://api.bap.appsplatform.us", "dod", ("v1.0",)),
    ("china", "https://login.chinacloudapi.cn", "https://microsoftgraph.chinacloudapi.cn",
     "https://management.chinacloudapi.cn", "https://api.bap.partner.microsoftonline.cn", "china", ()),
]


def test_every_cloud_is_in_the_table():
    assert sorted(CLOUDS) == sorted(row[0] for row in ENDPOINTS)


@pytest.mark.parametrize("cloud, login, graph, arm, power_platform, powerapps, label_apis", ENDPOINTS)
def test_cloud_endpoints(cloud, login, graph, arm, power_platform, powerapps, label_apis):
    endpoints = EntraEndpoints(cloud)
    assert endpoints.authority_host == login
    assert (endpoints.graph_url, endpoints.graph_resource) == (graph, graph)
    assert (endpoints.arm_url, endpoints.arm_resource) == (arm, arm + "/")
    assert endpoints.power_platform_url == power_platform
    assert endpoints.powerapps_endpoint == powerapps
    assert endpoints.label_apis == label_apis


def test_overridden_urls_keep_the_cloud_audiences_and_label_apis():
    endpoints = EntraEndpoints("usgov", authority_url="https://emu/entra", graph_url="https://emu/graph")
    assert (endpoints.graph_url, endpoints.graph_resource) == ("https://emu/graph", "https://graph.microsoft.us")
    assert endpoints.label_apis == ("v1.0",)


GUEST = "jane_contoso.com#EXT#@fabrikam.onmicrosoft.com"


@pytest.mark.parametrize("endpoint, path", [
    ("beta", "/users/jane_contoso.com%23EXT%23@fabrikam.onmicrosoft.com/security/informationProtection/sensitivityLabels"),
    ("v1.0", "/users/jane_contoso.com%23EXT%23@fabrikam.onmicrosoft.com/dataSecurityAndGovernance/sensitivityLabels"),
])
def test_per_user_paths_encode_the_id(endpoint, path):
    assert labels.user_labels_path(endpoint, GUEST) == path


def _token(*roles):
    payload = base64.urlsafe_b64encode(json.dumps({"roles": list(roles)}).encode()).decode().rstrip("=")
    return "header.%s.signature" % payload


class Answer:
    def __init__(self, status, body):
        self.status_code = status
        self.headers = requests.structures.CaseInsensitiveDict()
        self._body = body
        self.reason = "Reason"
        self.content = json.dumps(body).encode()

    def json(self):
        return self._body


class LabelGraph:
    """Stands in for HttpClient: one page of one label for every list, and the URLs asked."""

    def __init__(self):
        self.urls = []

    def request(self, method, url, headers=None, params=None, **kwargs):
        self.urls.append(url)
        return Answer(200, {"value": [{"id": "1", "name": "Public"}]})


def _source(cloud, roles, endpoint="auto", user_id=None):
    endpoints = EntraEndpoints(cloud)
    http = LabelGraph()
    graphs = dict((version, GraphClient(http, endpoints.graph_url, lambda: _token(*roles), version=version))
                  for version in labels.ALL_ENDPOINTS)
    source = labels.GraphLabelSource(graphs, lambda: _token(*roles), endpoint=endpoint,
                                     user_id=user_id, available=endpoints.label_apis,
                                     cloud_name=endpoints.cloud_name)
    return source, http


@pytest.mark.parametrize("cloud", ["usgov", "usgov_dod"])
def test_us_government_reads_v1_only(cloud):
    source, http = _source(cloud, ["InformationProtectionPolicy.Read.All", "SensitivityLabels.Read.All"],
                           user_id=GUEST)
    assert [r["name"] for r in source.labels()] == ["Public"]
    assert source.endpoint == "v1.0"
    assert http.urls == [EntraEndpoints(cloud).graph_url + "/v1.0" + labels.user_labels_path("v1.0", GUEST)]


def test_us_government_with_only_the_beta_permission_says_what_to_grant():
    source, http = _source("usgov", ["InformationProtectionPolicy.Read.All"])
    with pytest.raises(MipConnectError) as caught:
        list(source.labels())
    assert "SensitivityLabels.Read.All" in caught.value.hint and "does not exist in US Government" in caught.value.hint
    assert http.urls == []


def test_asking_for_beta_where_it_does_not_exist_fails_before_any_request():
    source, http = _source("usgov_dod", ["InformationProtectionPolicy.Read.All"], endpoint="beta")
    with pytest.raises(InputError) as caught:
        list(source.labels())
    assert caught.value.option == "endpoint" and "US Government L5 (DoD)" in str(caught.value)
    assert http.urls == []


def test_china_has_no_graph_label_api():
    source, http = _source("china", ["InformationProtectionPolicy.Read.All", "SensitivityLabels.Read.All"])
    with pytest.raises(MipConnectError) as caught:
        list(source.labels())
    assert "no sensitivity label API" in str(caught.value) and "source: zia" in caught.value.hint
    assert http.urls == []


def test_global_cloud_still_prefers_beta():
    source, http = _source("public", ["InformationProtectionPolicy.Read.All", "SensitivityLabels.Read.All"])
    list(source.labels())
    assert source.endpoint == "beta" and "/beta/security/informationProtection/" in http.urls[0]
