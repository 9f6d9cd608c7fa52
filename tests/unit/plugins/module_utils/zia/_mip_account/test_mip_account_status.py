# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.mipconnect.zia.plugins.module_utils.zia._mip_account.status import (
    describe,
    label_retrieval_of,
    portal_status,
    portal_word,
    raw_of,
    validated_since,
)
from ansible_collections.mipconnect.zia.tests.unit.plugins.module_utils.zia._mip_account.fakes_mip_account import CLIENT, RECORDED_MIP_ENTRY, account


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


def test_the_recorded_entry_reads_as_an_active_account_retrieving_labels():
    view = describe(RECORDED_MIP_ENTRY)
    assert view["status"] == "Active"
    assert view["label_retrieval"] is True  # it has been scanned
    assert view["inactive"] is False
    assert label_retrieval_of(dict(RECORDED_MIP_ENTRY, tagsScanInfo={})) is None


def test_a_status_value_no_recording_shows_is_kept_raw():
    guessed = dict(RECORDED_MIP_ENTRY, status=["CASB_TENANT_VALIDATION_FAILED"], tagsScanInfo={})
    view = describe(guessed)
    assert view["status"] == "CASB_TENANT_VALIDATION_FAILED"
    assert view["statuses"] == ["CASB_TENANT_VALIDATION_FAILED"]
    assert view["inactive"] is None  # no recording says what that value means for the state


def test_recorded_values_map_to_the_portal_words_of_the_mip_labels_page():
    unscanned = dict(RECORDED_MIP_ENTRY, tagsScanInfo={})
    assert describe(unscanned)["status"] == "Validation Success"
    assert describe(dict(unscanned, labelRetrieval=True))["status"] == "Retrieval Pending"
    assert describe(dict(unscanned, tenantInactive=True))["status"] == "Tenant Inactive"
    failed = {"status": [], "lastValidationMsg": {"errorCode": 7000215, "errorMsg": "AADSTS7000215: bad secret"}}
    assert describe(dict(unscanned, status=["CASB_TENANT_ACTIVE"]), failed)["status"] == "Validation Failed"
    assert describe(dict(unscanned, status=["CASB_TENANT_ACTIVE"]))["status"] == "CASB_TENANT_ACTIVE"  # no reason
    assert portal_word("Validation Successful") == portal_word("validation success") == "Validation Success"
    assert portal_word("Pending") is None


def test_the_recorded_entry_names_its_client_id_in_zscaler_app_tenant_id():
    assert describe(RECORDED_MIP_ENTRY)["client_id"] == CLIENT
    bitbucket = dict(RECORDED_MIP_ENTRY, zscalerAppTenantId={"id": 77662, "name": "bSGALZ5H5n8fC7xgTA"})
    assert describe(bitbucket)["client_id"] is None  # not a GUID: no client id of an Entra app


def test_raw_of_keeps_what_describe_says():
    raw = dict(account(label_retrieval=None, validated_at=1700000000),
               tagsScanInfo={"tag_latest_success_scan_time": 1700000100})
    raw.pop("labelRetrieval")
    described = describe(raw)
    assert describe(raw_of(described)) == described
