# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ZIA client's limiter and label count, legacy auth errors, and the MIP account
reconciler's manual paths, against a fake ZIA (no HTTP)."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.mipconnect.zia.plugins.module_utils import labels, zia_auth
from ansible_collections.mipconnect.zia.plugins.module_utils.errors import ApiError, InputError, MipConnectError
from ansible_collections.mipconnect.zia.plugins.module_utils.mip_account import (
    MipAccountReconciler,
    MipAccountSpec,
    describe,
    label_retrieval_of,
    portal_word,
    raw_of,
)
from ansible_collections.mipconnect.zia.plugins.module_utils.zia import ZiaClient
from ansible_collections.mipconnect.zia.plugins.module_utils.zia_rate_limits import RateLimiter
from ansible_collections.mipconnect.zia.plugins.module_utils.zia_mip_contract import ManualStepsRequired

TENANT = "0a6e7c3d-1f8b-4c2e-9d7a-5b3f2e1c0d9e"
CLIENT = "7d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
OTHER_CLIENT = "11111111-2222-4333-8444-555555555555"


class Clock:
    def __init__(self, start=1000.0):
        self.now = start
        self.sleeps = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(round(seconds, 3))
        self.now += seconds


# --- rate limiter ----------------------------------------------------------------------


def test_post_and_put_share_one_write_window():
    clock = Clock()
    limiter = RateLimiter(sleep=clock.sleep, clock=clock)
    for method, path in (("POST", "/casbTenant"), ("PUT", "/casbTenant/1"), ("POST", "/casbTenant")):
        limiter.wait(method, path)
        limiter.record(method, path)
    assert clock.sleeps == [1.0, 1.0]  # a PUT right after a POST waits, as ZIA counts them together


def test_activation_has_its_own_window_of_ten_a_minute():
    clock = Clock()
    limiter = RateLimiter(sleep=clock.sleep, clock=clock)
    limiter.wait("POST", "/casbTenant")
    limiter.record("POST", "/casbTenant")
    for _activation in range(10):
        limiter.wait("POST", "/status/activate")
        limiter.record("POST", "/status/activate")
    assert clock.sleeps == []  # neither the write before nor each other hold the first ten back
    limiter.wait("POST", "/status/activate")
    assert clock.sleeps == [60.0]
    limiter.record("POST", "/status/activate")
    limiter.wait("PUT", "/casbTenant/1")
    assert clock.sleeps == [60.0]  # activations do not use up the write window


# --- label count -------------------------------------------------------------------------


class Response:
    def __init__(self, status, payload):
        self.status_code = status
        self._payload = payload
        self.content = b"x"
        self.headers = {}
        self.reason = ""
        self.text = ""

    def json(self):
        return self._payload


class PagedHttp:
    def __init__(self, items):
        self.items = items
        self.calls = []

    def request(self, method, url, headers=None, params=None, json=None, service=None):
        self.calls.append((method, url, dict(params or {})))
        if "/missing/" in url:
            return Response(404, {"code": "RESOURCE_NOT_FOUND", "message": "no"})
        page, size = params["page"], params["pageSize"]
        return Response(200, self.items[(page - 1) * size:page * size])


class NoAuth:
    api_url = "https://zia.example/api/v1"

    def apply(self, headers):
        pass

    def refresh(self):
        pass

    def logout(self):
        pass


def test_policy_tags_reads_every_page_and_leaves_out_deleted_tags():
    tags = [{"tagId": i, "tagName": "L%d" % i, "deleted": i % 10 == 0} for i in range(1, 151)]
    http = PagedHttp(tags)
    clock = Clock()
    client = ZiaClient(http, NoAuth(), sleep=clock.sleep, clock=clock)
    labels = client.policy_tags(42)
    assert len(labels) == 150 - 15
    assert [c[2]["page"] for c in http.calls] == [1, 2]


def test_policy_tags_of_an_unknown_account_is_empty():
    clock = Clock()
    client = ZiaClient(PagedHttp([]), NoAuth(), sleep=clock.sleep, clock=clock)
    client.base_url = "https://zia.example/api/v1/missing"
    assert client.policy_tags(42) == []


# --- legacy auth options -----------------------------------------------------------------


def test_legacy_without_cloud_names_the_options_to_set():
    params = {"zia_username": "admin@example.com", "zia_password": "pw", "zia_api_key": "abcdefghijkl"}
    with pytest.raises(InputError) as caught:
        zia_auth.build_zia_auth(None, params)
    assert caught.value.option == "zia_cloud"
    assert "'None'" not in str(caught.value)
    assert "zia_api_url" in str(caught.value) and "ZIA_CLOUD" in str(caught.value)


# --- the reconciler against a fake ZIA ---------------------------------------------------


def account(tenant_id=7, name="Contoso MIP", validated_at=500, label_retrieval=True, inactive=False):
    return {"tenantId": tenant_id, "tenantName": name, "saasApplication": "MIP", "enterpriseTenantId": TENANT,
            "connectorType": "CUSTOM", "labelRetrieval": label_retrieval, "tenantInactive": inactive,
            "status": ["CASB_TENANT_ACTIVE", "CASB_TENANT_VALIDATION_SUCCESS"],
            "lastTenantValidationTime": validated_at}


class FakeZia:
    """Accounts by id; writes answer 404 (no write contract) unless ``contract`` is set; ``on_poll``
    lets a test play the person in the portal."""

    def __init__(self, accounts, contract=False, client_id=CLIENT):
        self.accounts = dict((a["tenantId"], a) for a in accounts)
        self.contract = contract
        self.client_id = client_id
        self.writes = []
        self.polls = 0
        self.on_poll = None

    def mip_accounts(self):
        self.polls += 1
        if self.on_poll:
            self.on_poll(self, self.polls)
        return [dict(a) for a in self.accounts.values()]

    def validation_status(self, tenant_id):
        raw = self.accounts.get(tenant_id) or {}
        return {"status": ["CASB_TENANT_VALIDATION_SUCCESS"],
                "lastTenantValidationTime": raw.get("lastTenantValidationTime"),
                "tenantAuthorizationInfo": {"clientId": self.client_id}}

    def policy_tags(self, tenant_id):
        return [{"tagId": 1, "deleted": False}]

    def call(self, method, path, json=None, **_kwargs):
        self.writes.append((method, path))
        if not self.contract:
            raise ApiError("Zscaler Internet Access", 404, code="RESOURCE_NOT_FOUND")
        if method == "DELETE":
            self.accounts.pop(int(path.rsplit("/", 1)[1]))
            return {}
        raw = self.accounts[int(path.rsplit("/", 1)[1])]
        raw.update(dict((k, v) for k, v in json.items() if k in ("labelRetrieval", "tenantInactive")))
        return dict(raw)

    def activation_status(self):
        return "ACTIVE"

    def activate(self, timeout=120):
        return {"status": "ACTIVE", "seconds": 0.0}


def reconciler(zia, **spec):
    clock = Clock()
    options = dict(name="Contoso MIP", tenant_id=TENANT, client_id=CLIENT, client_secret="s3cret-value",
                   wait_for="validated", wait_timeout=20, validate=False)
    options.update(spec)
    return MipAccountReconciler(zia, MipAccountSpec(**options), False, sleep=clock.sleep, clock=clock,
                                wall_clock=lambda: 1000.0)


@pytest.mark.parametrize("change", [dict(update_secret="always"), dict(reauthorize=True),
                                    dict(client_id=OTHER_CLIENT)])
def test_manual_credential_change_is_not_done_without_a_fresh_validation(change):
    zia = FakeZia([account(validated_at=500)])
    with pytest.raises(ManualStepsRequired) as caught:
        reconciler(zia, **change).present()
    assert zia.writes == [("PUT", "/casbTenant/7")]
    assert zia.polls > 2  # it waited before giving up
    assert "s3cret-value" not in str(caught.value)
    assert caught.value.partial_result["changed"] is False


def test_manual_secret_rotation_is_done_once_the_portal_validated_after_the_start():
    zia = FakeZia([account(validated_at=500)])

    def person(fake, polls):
        if polls == 4:
            fake.accounts[7]["lastTenantValidationTime"] = 1003

    zia.on_poll = person
    result = reconciler(zia, update_secret="always").present()
    assert result["changed"] is False
    assert result["diff"]["after"]["client_secret"] == "********"
    assert zia.polls >= 4


def test_manual_client_id_change_also_needs_the_new_client_id():
    zia = FakeZia([account(validated_at=500)])

    def person(fake, polls):
        if polls == 3:
            fake.accounts[7]["lastTenantValidationTime"] = 1003  # validated, still the old client
        if polls == 6:
            fake.client_id = OTHER_CLIENT

    zia.on_poll = person
    reconciler(zia, client_id=OTHER_CLIENT).present()
    assert zia.polls >= 6


def test_manual_create_with_wait_then_asks_for_label_retrieval():
    zia = FakeZia([])

    def person(fake, polls):
        if polls == 3:
            fake.accounts[9] = account(tenant_id=9, validated_at=1002, label_retrieval=False)

    zia.on_poll = person
    with pytest.raises(ManualStepsRequired) as caught:
        reconciler(zia, label_retrieval=True, wait_timeout=10).present()
    assert zia.writes == [("POST", "/casbTenant"), ("PUT", "/casbTenant/9")]
    assert any("label retrieval on" in step.lower() for step in caught.value.steps)


def test_manual_create_with_wait_reports_no_secret_sent():
    zia = FakeZia([])

    def person(fake, polls):
        if polls == 3:
            fake.accounts[9] = account(tenant_id=9, validated_at=1002)

    zia.on_poll = person
    result = reconciler(zia, label_retrieval=True, update_secret="always").present()
    assert zia.writes == [("POST", "/casbTenant")]  # the person entered the secret; not asked again
    assert result["changed"] is False
    assert result["diff"]["after"]["client_secret"] == "********"
    assert result["account"]["id"] == 9


def test_manual_create_steps_say_label_retrieval_and_status():
    with pytest.raises(ManualStepsRequired) as caught:
        reconciler(FakeZia([]), label_retrieval=True, status="inactive", wait_for="none").present()
    text = " ".join(caught.value.steps)
    assert "Label Retrieval to On" in text and "Tenant Inactive" in text


def test_absent_reports_no_change_when_a_person_deleted_it_while_waiting():
    zia = FakeZia([account()])

    def person(fake, polls):
        if polls == 3:
            fake.accounts.clear()

    zia.on_poll = person
    result = reconciler(zia, state="absent").absent()
    assert result["changed"] is False
    assert zia.writes == [("DELETE", "/casbTenant/7")]


def test_absent_failure_carries_a_partial_result():
    zia = FakeZia([account()])
    with pytest.raises(ManualStepsRequired) as caught:
        reconciler(zia, wait_for="none").absent()
    assert caught.value.partial_result == {"changed": False, "changes": [], "assumed_contract_writes": []}  # nothing was deleted


def test_absent_with_the_contract_changes():
    zia = FakeZia([account()], contract=True)
    assert reconciler(zia, wait_for="none").absent()["changed"] is True


def test_names_match_without_regard_to_case_and_duplicates_name_both():
    zia = FakeZia([account(name="CONTOSO mip")], contract=True)
    result = reconciler(zia, wait_for="none", status="inactive", client_secret=None).present()
    assert result["account"]["id"] == 7
    assert result["account"]["name"] == "CONTOSO mip"  # the name was kept, not re-cased
    assert any("CONTOSO mip" in w for w in result["warnings"])
    zia = FakeZia([account(name="Contoso MIP"), account(tenant_id=8, name="contoso mip")])
    with pytest.raises(MipConnectError) as caught:
        reconciler(zia, wait_for="none").present()
    assert "'Contoso MIP' (id 7)" in str(caught.value) and "'contoso mip' (id 8)" in str(caught.value)


def test_failed_validation_is_in_the_failure_result():
    invalid = {"valid": False, "reason": "Admin consent is missing", "aadsts": None,
               "missing_permissions": {"Microsoft Graph": ["InformationProtectionPolicy.Read.All"]},
               "granted_roles": {}, "labels_probe": None}
    zia = FakeZia([], contract=True)
    rec = reconciler(zia, validate=True, wait_for="none")
    rec.validator = lambda client_id, secret, tenant: invalid
    with pytest.raises(MipConnectError) as caught:
        rec.present()
    assert caught.value.partial_result["validation"] == invalid
    assert zia.writes == []


# --- the recorded read model, which has no labelRetrieval / tenantInactive / connectorType --------

# The MIP entry of GET /casbTenant/lite as a real cloud returned it (reference/golden/zia_recorded_samples.json).
RECORDED_MIP_ENTRY = {
    "tenantId": 22964781, "enterpriseTenantId": TENANT, "zscalerAppTenantId": {"id": 54988, "name": CLIENT},
    "tenantName": "Contoso MIP", "saasApplication": "MIP",
    "status": ["CASB_TENANT_ACTIVE", "CASB_TENANT_VALIDATION_SUCCESS"], "modifiedTime": 0,
    "lastTenantValidationTime": 0, "tenantDeleted": False, "tenantWebhookEnabled": False,
    "tagsScanInfo": {"tag_prev_scan_time": 1766136969, "tag_latest_success_scan_time": 1766136969},
    "reAuth": False, "featuresSupported": [],
}


def test_the_recorded_entry_reads_as_an_active_account_retrieving_labels():
    view = describe(RECORDED_MIP_ENTRY)
    assert view["status"] == "Active"
    assert view["label_retrieval"] is True  # it has been scanned
    assert view["inactive"] is False
    assert label_retrieval_of(dict(RECORDED_MIP_ENTRY, tagsScanInfo={})) is None


def test_a_recorded_entry_with_label_retrieval_asked_on_is_a_no_op():
    zia = FakeZia([dict(RECORDED_MIP_ENTRY)], contract=True)
    result = reconciler(zia, label_retrieval=True, status="active", wait_for="none").present()
    assert result["changed"] is False and zia.writes == []


def test_unknown_label_retrieval_is_not_written_on_every_run_and_says_why():
    unscanned = dict(RECORDED_MIP_ENTRY, tagsScanInfo={})
    zia = FakeZia([unscanned], contract=True)
    run = reconciler(zia, label_retrieval=True, wait_for="none")
    result = run.present()
    assert result["changed"] is False and zia.writes == []
    assert any("does not say whether Label Retrieval is on" in w for w in result["warnings"])


def test_turning_label_retrieval_off_on_a_scanned_recorded_entry_is_a_change():
    zia = FakeZia([dict(RECORDED_MIP_ENTRY)], contract=True)
    result = reconciler(zia, label_retrieval=False, wait_for="none", activate=False).present()
    assert result["changed"] is True
    assert zia.writes == [("PUT", "/casbTenant/22964781")]


# --- status values: only recorded ones get the portal's words ------------------------------


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


class FailedValidationZia(FakeZia):
    def validation_status(self, tenant_id):
        return {"status": [], "lastTenantValidationTime": 990,
                "lastValidationMsg": {"errorCode": 7000215, "errorMsg": "AADSTS7000215: Invalid client secret."},
                "tenantAuthorizationInfo": {"clientId": self.client_id}}


@pytest.mark.parametrize("goal", ["validated", "active", "labels_retrieved"])
def test_wait_for_stops_at_once_on_a_status_no_recording_explains(goal):
    zia = FakeZia([dict(RECORDED_MIP_ENTRY, status=["CASB_TENANT_SOMETHING_NEW"], tagsScanInfo={})])
    with pytest.raises(MipConnectError) as caught:
        reconciler(zia, wait_for=goal, wait_timeout=600, client_secret=None, activate=False).present()
    assert "CASB_TENANT_SOMETHING_NEW" in str(caught.value) and "stopped waiting" in str(caught.value)
    assert zia.polls <= 2  # not 300 polls until the timeout


def test_wait_for_validated_stops_at_once_on_a_failed_validation_and_says_why():
    zia = FailedValidationZia([dict(RECORDED_MIP_ENTRY, status=["CASB_TENANT_ACTIVE"])])
    with pytest.raises(MipConnectError) as caught:
        reconciler(zia, wait_for="validated", wait_timeout=600, client_secret=None, activate=False).present()
    assert "AADSTS7000215" in str(caught.value)
    assert zia.polls <= 2


# --- the client id of the recorded entry ------------------------------------------------------


def test_the_recorded_entry_names_its_client_id_in_zscaler_app_tenant_id():
    assert describe(RECORDED_MIP_ENTRY)["client_id"] == CLIENT
    bitbucket = dict(RECORDED_MIP_ENTRY, zscalerAppTenantId={"id": 77662, "name": "bSGALZ5H5n8fC7xgTA"})
    assert describe(bitbucket)["client_id"] is None  # not a GUID: no client id of an Entra app


def test_a_client_id_change_is_seen_from_the_recorded_entry_alone():
    class NoClientInValidation(FakeZia):
        def validation_status(self, tenant_id):
            return {"status": ["CASB_TENANT_VALIDATION_SUCCESS"], "lastTenantValidationTime": 0}

    zia = NoClientInValidation([dict(RECORDED_MIP_ENTRY)])
    result = reconciler(zia, client_id=OTHER_CLIENT, client_secret=None, wait_for="none").present()
    assert any(OTHER_CLIENT in w and CLIENT in w for w in result["warnings"])


# --- policy tags: deleted ones are no labels anywhere -------------------------------------------

# GET /casbTenant/{id}/tags/policy in its documented shape: tagId, tagName, tagUUID, tenantId, deleted.
POLICY_TAGS = [
    {"tagId": 1441700, "tagName": "Public", "tagUUID": "87ba5c36-b7cf-4793-bbc2-bd5b3a9f95ca",
     "tenantId": 22964781, "deleted": False},
    {"tagId": 1441701, "tagName": "General", "tagUUID": "f42aa342-8706-4288-bd11-ebb85995028c",
     "tenantId": 22964781, "deleted": False},
    {"tagId": 1441702, "tagName": "Confidential", "tagUUID": "4e4234dd-377b-42a3-935b-0e42f138fa23",
     "tenantId": 22964781, "deleted": False},
    {"tagId": 1441703, "tagName": "Old Secret", "tagUUID": "9fbde396-1a24-4c79-8edf-9254a0f35055",
     "tenantId": 22964781, "deleted": True},
]


def test_deleted_policy_tags_are_left_out_of_the_count_and_the_export_alike():
    clock = Clock()
    client = ZiaClient(PagedHttp(POLICY_TAGS), NoAuth(), sleep=clock.sleep, clock=clock)
    exported = list(labels.zia_policy_labels(client, 22964781))
    assert len(client.policy_tags(22964781)) == len(exported) == 3
    assert "Old Secret" not in [r["name"] for r in exported]
    assert len(list(labels.zia_policy_labels(client, 22964781, include_deleted=True))) == 4
    # nothing beyond the documented fields is read: no parent, priority or state is made up
    assert all(r["parent_id"] is None and r["priority"] is None and r["active"] is None for r in exported)


# --- write-contract refusals end in the portal steps ------------------------------------------------


@pytest.mark.parametrize("status,code,message", [
    (400, "INVALID_INPUT_ARGUMENT", "Request body has unrecognised field connectorType"),
    (403, "NOT_AUTHORIZED", "Not allowed for API clients"),
    (415, "UNSUPPORTED_MEDIA_TYPE", "Unsupported Media Type"),
])
def test_a_refused_write_ends_in_the_portal_steps_with_the_error(status, code, message):
    class Refusing(FakeZia):
        def call(self, method, path, json=None, **_kwargs):
            self.writes.append((method, path))
            raise ApiError("Zscaler Internet Access", status, code=code, message=message, request_id="req-1")

    with pytest.raises(ManualStepsRequired) as caught:
        reconciler(Refusing([account(label_retrieval=False)]), label_retrieval=True, wait_for="none",
                   client_secret=None).present()
    assert "label retrieval on" in " ".join(caught.value.steps).lower()
    details = caught.value.as_dict()
    assert details["error"]["status"] == status and details["error"]["request_id"] == "req-1"
    assert message in str(caught.value)


@pytest.mark.parametrize("status,code,message", [
    (400, "INVALID_INPUT_ARGUMENT", "tenantName must be a non-empty string of at most 255 characters."),
    (403, "STATE_READONLY", "The ZIA Admin Portal is read-only during maintenance."),
    (409, "DUPLICATE_ITEM", "A SaaS application tenant named 'x' already exists."),
])
def test_an_error_about_our_input_or_a_passing_state_is_not_sent_to_the_portal(status, code, message):
    class Refusing(FakeZia):
        def call(self, method, path, json=None, **_kwargs):
            raise ApiError("Zscaler Internet Access", status, code=code, message=message)

    with pytest.raises(ApiError) as caught:
        reconciler(Refusing([account(label_retrieval=False)]), label_retrieval=True, wait_for="none",
                   client_secret=None).present()
    assert not isinstance(caught.value, ManualStepsRequired)


# --- status: active brings Validation Success to Active ------------------------------------------------


def test_status_active_turns_label_retrieval_on_for_a_validated_account():
    zia = FakeZia([account(label_retrieval=False)], contract=True)
    result = reconciler(zia, status="active", wait_for="none", client_secret=None).present()
    assert result["changed"] is True
    assert zia.accounts[7]["labelRetrieval"] is True
    assert any("label retrieval on" in change for change in result["changes"])


def test_status_active_on_an_unvalidated_account_says_why_it_cannot():
    zia = FailedValidationZia([dict(RECORDED_MIP_ENTRY, status=["CASB_TENANT_ACTIVE"], tagsScanInfo={})],
                              contract=True)
    with pytest.raises(MipConnectError) as caught:
        reconciler(zia, status="active", wait_for="none", client_secret=None).present()
    assert "cannot be Active" in str(caught.value) and "AADSTS7000215" in str(caught.value)
    assert zia.writes == []


def test_status_active_with_label_retrieval_off_is_refused_before_any_call():
    with pytest.raises(InputError) as caught:
        MipAccountSpec(name="Contoso MIP", status="active", label_retrieval=False)
    assert caught.value.option == "status"


def test_the_result_lists_the_writes_that_went_through_the_assumed_contract():
    written = reconciler(FakeZia([account(label_retrieval=False)], contract=True), label_retrieval=True,
                         wait_for="none", client_secret=None).present()
    assert written["assumed_contract_writes"] == ["PUT /casbTenant/7"]
    with pytest.raises(ManualStepsRequired) as caught:
        reconciler(FakeZia([account(label_retrieval=False)]), label_retrieval=True, wait_for="none",
                   client_secret=None).present()
    assert caught.value.partial_result["assumed_contract_writes"] == []
    deleted = reconciler(FakeZia([account()], contract=True), wait_for="none").absent()
    assert deleted["assumed_contract_writes"] == ["DELETE /casbTenant/7"]


# --- names as ZIA compares them, changes only once written, secret_validated -----------------------

@pytest.mark.parametrize("given", ["Trim MIP ", "  trim   mip", "TRIM\tMIP"])
def test_a_name_ZIA_stores_trimmed_is_found_again_and_nothing_is_written(given):
    zia = FakeZia([account(name="Trim MIP")], contract=True)
    result = reconciler(zia, name=given, wait_for="none", client_secret=None).present()
    assert result["account"]["id"] == 7
    assert result["changed"] is False and zia.writes == []


class DuplicateOnCreate(FakeZia):
    """ZIA refuses the create: an account of that name exists (made since we looked, or merged by ZIA)."""

    def call(self, method, path, json=None, **_kwargs):
        if method == "POST" and path.endswith("/casbTenant"):
            self.writes.append((method, path))
            raise ApiError("Zscaler Internet Access", 409, code="DUPLICATE_ITEM",
                           message="A SaaS application tenant named '%s' already exists." % json["tenantName"])
        return FakeZia.call(self, method, path, json=json)


def test_a_refused_create_reports_no_change():
    zia = DuplicateOnCreate([], contract=True)
    with pytest.raises(ApiError) as caught:
        reconciler(zia, wait_for="none").present()
    assert caught.value.partial_result["changed"] is False
    assert caught.value.partial_result["changes"] == []


def test_a_create_lost_to_another_run_carries_on_as_an_update():
    zia = DuplicateOnCreate([], contract=True)

    def another_run_created_it(fake, polls):
        if polls == 2:  # after our lookup, before our create was refused
            fake.accounts[7] = account(label_retrieval=False)

    zia.on_poll = another_run_created_it
    result = reconciler(zia, wait_for="none", label_retrieval=True).present()
    assert result["account"]["id"] == 7
    assert any("created by someone else" in warning for warning in result["warnings"])


def test_secret_validated_only_by_a_validation_after_this_run_stored_it():
    stale = FakeZia([account(validated_at=900)], contract=True)  # validated before the run stored the secret
    result = reconciler(stale, update_secret="always", wait_for="none").present()
    assert result["changed"] is True
    assert result["secret_validated"] is False
    fresh = FakeZia([account(validated_at=1000)], contract=True)  # validated when the store happened
    assert reconciler(fresh, update_secret="always", wait_for="none").present()["secret_validated"] is True
    untouched = FakeZia([account(validated_at=1000)], contract=True)
    assert reconciler(untouched, wait_for="none").present()["secret_validated"] is False  # nothing was stored


# --- what the play already read ------------------------------------------------------------


class CountingZia(FakeZia):
    """FakeZia that counts every read, by kind."""

    def __init__(self, accounts, **kwargs):
        super(CountingZia, self).__init__(accounts, **kwargs)
        self.reads = []

    def mip_accounts(self):
        self.reads.append("list")
        return super(CountingZia, self).mip_accounts()

    def validation_status(self, tenant_id):
        self.reads.append("validation")
        return super(CountingZia, self).validation_status(tenant_id)

    def policy_tags(self, tenant_id):
        self.reads.append("labels")
        return super(CountingZia, self).policy_tags(tenant_id)

    def activation_status(self):
        self.reads.append("status")
        return super(CountingZia, self).activation_status()


def listed(*raws):
    """Accounts as mip_account_info returns them."""
    return [describe(raw) for raw in raws]


def test_a_noop_with_the_play_listing_reads_no_answer_it_already_has():
    scanned = dict(account(), tagsScanInfo={"tag_latest_success_scan_time": 900})
    zia = CountingZia([scanned], contract=True)
    result = reconciler(zia, client_secret=None, wait_for="labels_retrieved", known_accounts=listed(scanned),
                        policy_tag_count=False).present()
    assert result["changed"] is False and zia.writes == []
    # No listing (the play has it), no labels (the play's export reads them): the client id and
    # whether changes are staged are in no answer the play has.
    assert zia.reads == ["validation", "status"]
    assert result["account"]["policy_tag_count"] is None and result["account"]["id"] == 7


def test_without_the_play_listing_the_module_lists_and_counts_labels():
    zia = CountingZia([account()], contract=True)
    result = reconciler(zia, client_secret=None, wait_for="none").present()
    assert zia.reads == ["list", "validation", "status", "labels"]
    assert result["account"]["policy_tag_count"] == 1


def test_an_account_missing_from_the_play_listing_is_looked_up_again_before_creating():
    # Someone made the account after the play listed the organisation: no duplicate is created.
    zia = CountingZia([account()], contract=True)
    result = reconciler(zia, client_secret=None, wait_for="none", known_accounts=[]).present()
    assert zia.reads[:2] == ["list", "validation"]
    assert result["changed"] is False and zia.writes == []


def test_the_play_listing_decides_updates_as_a_fresh_one_would():
    raw = account(label_retrieval=False, validated_at=1234567890)
    zia = CountingZia([raw], contract=True)
    result = reconciler(zia, client_secret=None, wait_for="none", label_retrieval=True,
                        known_accounts=listed(raw)).present()
    assert zia.writes == [("PUT", "/casbTenant/7")]  # by the id the listing gave, without listing again
    assert "list" not in zia.reads
    assert "turn label retrieval on" in result["changes"][0]


def test_raw_of_keeps_what_describe_says():
    raw = dict(account(label_retrieval=None, validated_at=1700000000),
               tagsScanInfo={"tag_latest_success_scan_time": 1700000100})
    raw.pop("labelRetrieval")
    described = describe(raw)
    assert describe(raw_of(described)) == described


class CreatingZia(CountingZia):
    """CountingZia whose write contract also creates accounts."""

    def call(self, method, path, json=None, **_kwargs):
        if method == "POST" and path == "/casbTenant":
            self.writes.append((method, path))
            raw = account(tenant_id=99, name=json["tenantName"], validated_at=1000, label_retrieval=True)
            self.accounts[99] = raw
            return dict(raw)
        return super(CreatingZia, self).call(method, path, json=json, **_kwargs)


def test_an_account_created_without_activation_is_not_asked_for_labels_it_cannot_have():
    zia = CreatingZia([], contract=True)
    result = reconciler(zia, wait_for="none", activate=False, known_accounts=[]).present()
    assert zia.writes == [("POST", "/casbTenant")]
    assert "labels" not in zia.reads and result["account"]["policy_tag_count"] == 0


def test_an_account_created_and_activated_is_counted():
    zia = CreatingZia([], contract=True)
    result = reconciler(zia, wait_for="none", activate=True).present()
    assert "labels" in zia.reads and result["account"]["policy_tag_count"] == 1
