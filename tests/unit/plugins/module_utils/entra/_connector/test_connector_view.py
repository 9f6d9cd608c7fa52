# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.mipconnect.zia.tests.unit.plugins.module_utils.entra._connector.fakes_connector import reconciler


def test_the_view_shows_secrets_by_id_and_expiry_never_their_values():
    rec = reconciler()
    assert rec.view()["exists"] is False
    rec.app = {"displayName": "Zscaler MIP", "passwordCredentials": [
        {"keyId": "b", "displayName": "z", "endDateTime": "2028-01-01T00:00:00Z", "secretText": "s3cret"},
        {"keyId": "a", "displayName": "z", "endDateTime": "2027-01-01T00:00:00Z"}]}
    view = rec.view()
    assert [s["key_id"] for s in view["secrets"]] == ["a", "b"] and "s3cret" not in repr(view)
