# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import os

from ansible_collections.mipconnect.zia.plugins.module_utils.entra._connector.sharepoint_certificate import CERTIFICATE_DISPLAY_NAME
from ansible_collections.mipconnect.zia.plugins.module_utils.entra import connector
from ansible_collections.mipconnect.zia.tests.unit.plugins.module_utils.entra._connector.fakes_connector import (
    NOW,
    FakeGraph,
    SecretGraph,
    reconciler,
)


def test_check_mode_plans_the_certificate_without_writing_its_file_or_uploading(tmp_path):
    path = str(tmp_path / "key.json")
    graph = FakeGraph()
    rec = reconciler(graph, check_mode=True, applications=["sharepoint"], private_key_json_path=path)
    rec.app = {"id": "obj", "keyCredentials": []}
    result = rec.ensure_certificate()
    assert not os.path.exists(path) and graph.writes == []
    assert [c.split(" ")[0] for c in rec.changes] == ["create", "upload"]
    assert result["private_key_json_path"] == path
    assert [k["displayName"] for k in rec.app["keyCredentials"]] == [CERTIFICATE_DISPLAY_NAME]


def test_a_certificate_from_elsewhere_is_not_replaced(tmp_path):
    rec = reconciler(FakeGraph(), check_mode=True, applications=["sharepoint"],
                     private_key_json_path=str(tmp_path / "key.json"))
    rec.app = {"id": "obj", "keyCredentials": [{"displayName": "by hand", "customKeyIdentifier": "AB"}]}
    try:
        rec.ensure_certificate()
    except Exception as err:  # pylint: disable=broad-except
        assert "did not upload" in str(err) and "private_key_json_path" in str(err)
    else:
        raise AssertionError("a foreign certificate was replaced")


def test_an_expired_certificate_kept_beside_its_successor_is_removed(tmp_path):
    from ansible_collections.mipconnect.zia.plugins.module_utils.entra import certificate as certs

    path = str(tmp_path / "sharepoint.json")
    current = certs.generate("d", 1461, NOW)
    certs.write_json_file(path, current)
    old = certs.generate("d", 20, NOW - datetime.timedelta(days=30))  # expired ten days ago
    spec = connector.ConnectorSpec(display_name="d", unique_name="u", applications=["sharepoint"],
                                   private_key_json_path=path)
    rec = connector.ConnectorReconciler(None, None, None, None, "t", spec, False, now=NOW)
    rec.graph = SecretGraph()
    rec.app = {"id": "obj", "keyCredentials": [dict(k, key=None) for k in (
        current.key_credential(connector.CERTIFICATE_DISPLAY_NAME), old.key_credential(connector.CERTIFICATE_DISPLAY_NAME))]}
    result = rec.ensure_certificate()
    assert result["thumbprint"] == current.thumbprint
    [(method, path_, body)] = rec.graph.calls
    assert (method, path_) == ("PATCH", "/applications/obj")
    assert [certs.thumbprint_of(k) for k in body["keyCredentials"]] == [current.thumbprint]
    assert any("removing expired %s" % old.thumbprint in c for c in rec.changes)
    assert rec.pending_steps == []
