# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A fake ZIA for the MIP account reconciler (no HTTP), and accounts as ZIA answers them."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.mipconnect.zia.plugins.module_utils.errors import ApiError
from ansible_collections.mipconnect.zia.plugins.module_utils.zia.mip_account import MipAccountReconciler, MipAccountSpec, describe
from ansible_collections.mipconnect.zia.tests.unit.plugins.module_utils.fakes import Clock

TENANT = "0a6e7c3d-1f8b-4c2e-9d7a-5b3f2e1c0d9e"
CLIENT = "7d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
OTHER_CLIENT = "11111111-2222-4333-8444-555555555555"


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


# The MIP entry of GET /casbTenant/lite as a real cloud returned it (reference/golden/zia_recorded_samples.json).
RECORDED_MIP_ENTRY = {
    "tenantId": 22964781, "enterpriseTenantId": TENANT, "zscalerAppTenantId": {"id": 54988, "name": CLIENT},
    "tenantName": "Contoso MIP", "saasApplication": "MIP",
    "status": ["CASB_TENANT_ACTIVE", "CASB_TENANT_VALIDATION_SUCCESS"], "modifiedTime": 0,
    "lastTenantValidationTime": 0, "tenantDeleted": False, "tenantWebhookEnabled": False,
    "tagsScanInfo": {"tag_prev_scan_time": 1766136969, "tag_latest_success_scan_time": 1766136969},
    "reAuth": False, "featuresSupported": [],
}


class FailedValidationZia(FakeZia):
    def validation_status(self, tenant_id):
        return {"status": [], "lastTenantValidationTime": 990,
                "lastValidationMsg": {"errorCode": 7000215, "errorMsg": "AADSTS7000215: Invalid client secret."},
                "tenantAuthorizationInfo": {"clientId": self.client_id}}


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
