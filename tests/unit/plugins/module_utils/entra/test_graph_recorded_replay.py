# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Real Graph answers (fixtures/graph_recorded_samples.json, recorded by the Azure CLI's tests against
graph.microsoft.com) replayed through the client: each recorded shape is read as the modules read it."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import json
import os

import pytest
import requests

from ansible_collections.mipconnect.zia.plugins.module_utils.entra import connector
from ansible_collections.mipconnect.zia.plugins.module_utils.errors import ApiError
from ansible_collections.mipconnect.zia.plugins.module_utils.entra.graph import GraphClient

FIXTURES = os.path.join(os.path.dirname(os.path.dirname(__file__)), "fixtures")
NOW = datetime.datetime(2022, 5, 7, 6, 53, 43, tzinfo=datetime.timezone.utc)


def recorded(prefix):
    with open(os.path.join(FIXTURES, "graph_recorded_samples.json")) as handle:
        samples = json.load(handle)
    return next(sample for name, sample in samples.items() if name.startswith(prefix))


def test_every_recorded_sample_is_replayed_here():
    with open(os.path.join(FIXTURES, "graph_recorded_samples.json")) as handle:
        names = sorted(name for name in json.load(handle) if not name.startswith("$"))
    assert names == sorted(REPLAYED)


class Answer:
    def __init__(self, status, body, headers=None):
        self.status_code = status
        self.headers = requests.structures.CaseInsensitiveDict(headers or {})
        self._body = body
        self.reason = "Reason"
        self.content = json.dumps(body).encode()

    def json(self):
        return self._body


class OneAnswer:
    """Stands in for HttpClient: gives the recorded answer to whatever is asked."""

    def __init__(self, sample, status):
        self.sample = sample
        self.status = status
        self.asked = []

    def request(self, method, url, headers=None, params=None, json=None, **kwargs):
        self.asked.append((method, url, json))
        return Answer(self.status, self.sample["response_body"], self.sample.get("response_headers"))


def graph_answering(prefix, status):
    http = OneAnswer(recorded(prefix), status)
    return GraphClient(http, "https://graph.microsoft.com", lambda: "token"), http


def test_created_application_as_recorded():
    graph, http = graph_answering("POST /v1.0/applications (201)", 201)
    spec = connector.ConnectorSpec(display_name="azure-cli-test000001", unique_name="u", applications=[])
    rec = connector.ConnectorReconciler(graph, None, None, None, "t", spec, False, now=NOW)
    rec.ensure_application([])
    assert rec.app_created is True
    recorded_ids = ("765eb0e3-acb3-475d-9a98-ee6892f081c8", "afb85a07-e312-4d49-b75b-9db4e2d683cd")
    assert (rec.app["id"], rec.app["appId"]) == recorded_ids
    assert rec.view()["exists"] is True and rec.view()["secrets"] == []
    assert http.asked[0][0] == "PATCH"


def test_added_password_as_recorded():
    graph, _http = graph_answering("POST /v1.0/applications/{id}/addPassword (200)", 200)
    spec = connector.ConnectorSpec(display_name="d", unique_name="u", secret_description="key1")
    rec = connector.ConnectorReconciler(graph, None, None, None, "t", spec, False, now=NOW)
    rec.app = {"id": "765eb0e3-acb3-475d-9a98-ee6892f081c8", "passwordCredentials": [], "tags": []}
    secrets = rec.ensure_secret()
    assert rec.new_secret == "replaced-microsoft-graph-password"
    assert secrets == [{"key_id": "73c912d2-fd2d-42a0-b3ae-2e45d006b8bc", "description": "key1", "hint": "yXo",
                        "start": "2022-05-07T06:52:43Z", "expires": "2024-05-07T06:52:43Z"}]
    # Secret values never reach the view shown in --diff.
    assert "replaced-microsoft-graph-password" not in json.dumps(rec.view())


def test_empty_list_as_recorded():
    graph, _http = graph_answering("GET /v1.0/applications?$filter=startswith", 200)
    assert list(graph.list("/applications", params={"$filter": "startswith(displayName,'x')"})) == []


def test_insufficient_privileges_as_recorded():
    """innerError.date has no zone and the request id is only in the body: both are read."""
    graph, _http = graph_answering("GET /v1.0/applications?$filter=... (403)", 403)
    with pytest.raises(ApiError) as caught:
        graph.get("/applications(uniqueName='u')", missing_ok=True)
    err = caught.value
    assert (err.status, err.code, err.request_id) == (403, "Authorization_RequestDenied",
                                                      "ff33533c-35c1-4cfb-a5f1-b4938a33db80")
    assert "Insufficient privileges" in str(err)
    assert "Application.ReadWrite.All" in err.hint


REPLAYED = (
    "POST /v1.0/applications (201)",
    "GET /v1.0/applications?$filter=startswith(displayName,'...') (200, empty)",
    "POST /v1.0/applications/{id}/addPassword (200)",
    "GET /v1.0/applications?$filter=... (403)",
)
