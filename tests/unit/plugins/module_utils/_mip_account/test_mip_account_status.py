# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.mipconnect.zia.plugins.module_utils._mip_account.status import describe, portal_status, raw_of, validated_since
from ansible_collections.mipconnect.zia.tests.unit.plugins.module_utils.test_zia_mip_account import account


@pytest.mark.parametrize("changes,word", [
    ({}, "Retrieval Pending"),
    ({"tagsScanInfo": {"tag_latest_success_scan_time": 1700000000}}, "Active"),
    ({"labelRetrieval": False}, "Validation Success"),
    ({"tenantInactive": True}, "Tenant Inactive"),
    ({"status": ["CASB_SOMETHING_NEW"]}, "CASB_SOMETHING_NEW"),
])
def test_the_portal_word_for_what_zia_reads(changes, word):
    raw = dict(account(), **changes)
    assert portal_status(raw) == word


def test_an_account_as_described_reads_back_as_the_same_decisions():
    raw = dict(account(), tagsScanInfo={"tag_latest_success_scan_time": 1700000000})
    again = raw_of(describe(raw))
    assert portal_status(again) == portal_status(raw) == "Active"
    assert again["lastTenantValidationTime"] == raw["lastTenantValidationTime"]


def test_validated_since_compares_zia_times_and_survives_garbage():
    assert validated_since({"lastTenantValidationTime": 1000}, 1000.0) is True
    assert validated_since({"lastTenantValidationTime": 999}, 1000.0) is False
    assert validated_since({"lastTenantValidationTime": "soon"}, 1000.0) is False
