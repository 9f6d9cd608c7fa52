# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""validate_connector: the connector's own token per resource, its roles against the catalog, one labels probe."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.mipconnect.zia.plugins.module_utils.entra import credential_validation as cv
from ansible_collections.mipconnect.zia.plugins.module_utils.entra import permission_catalog as catalog
from ansible_collections.mipconnect.zia.plugins.module_utils.entra.entra_auth import EntraEndpoints
from ansible_collections.mipconnect.zia.tests.unit.plugins.module_utils.fakes import (
    AUTHORITY,
    CLIENT,
    TENANT,
    Answer,
    FakeServices,
)

GRAPH_ID = catalog.RESOURCES["microsoft_graph"]["app_id"]
ENDPOINTS = EntraEndpoints(authority_url=AUTHORITY)


def granted_everything(endpoints=ENDPOINTS):
    """Roles per token audience as Entra would grant them once every permission is consented."""
    roles = {}
    for app_id, values in cv.required_roles(("mip",)).items():
        roles[endpoints.graph_resource if app_id == GRAPH_ID else app_id] = list(values)
    return roles


def validate(fake, **kwargs):
    return cv.validate_connector(fake, ENDPOINTS, TENANT, CLIENT, "canary-secret", **kwargs)


def test_mip_needs_the_permission_zscaler_reads_labels_with():
    assert "InformationProtectionPolicy.Read.All" in cv.required_roles(("mip",))[GRAPH_ID]


def test_every_permission_consented_and_labels_readable_is_valid():
    fake = FakeServices(roles=granted_everything(), script=[Answer(200, {"value": [{"id": "1"}]})])
    result = validate(fake)
    assert result["valid"] is True and result["missing_permissions"] == {} and result["not_checked"] == []
    assert result["labels_probe"] == {"ok": True, "endpoint": "beta" + cv.BETA_PATH, "status": 200,
                                      "labels_seen": 1}
    assert fake.calls[0][1] == "https://graph.microsoft.com/beta%s" % cv.BETA_PATH
    assert all(secret == "canary-secret" for _scope, secret in fake.tokens_issued)
    assert "canary-secret" not in repr(result)


def test_a_missing_consent_is_named_and_no_labels_request_is_made():
    roles = granted_everything()
    roles["https://graph.microsoft.com"] = []
    fake = FakeServices(roles=roles)
    result = validate(fake)
    assert result["valid"] is False
    assert result["missing_permissions"] == {"Microsoft Graph": ["InformationProtectionPolicy.Read.All"]}
    assert "Admin consent is missing for: Microsoft Graph: InformationProtectionPolicy.Read.All" in result["reason"]
    assert fake.calls == []


def test_a_refused_labels_probe_makes_the_credentials_invalid():
    fake = FakeServices(roles=granted_everything(), script=[Answer(403, {"error": {"code": "Forbidden"}})] * 2)
    result = validate(fake)
    assert result["valid"] is False and result["labels_probe"]["status"] == 403
    assert result["reason"].startswith("The sensitivity labels endpoint refused the connector")


def test_a_cloud_without_the_label_api_says_what_was_not_checked():
    china = EntraEndpoints("china", authority_url=AUTHORITY)
    fake = FakeServices(roles=granted_everything(china))
    result = cv.validate_connector(fake, china, TENANT, CLIENT, "s")
    assert result["valid"] is True and result["labels_probe"] is None and fake.calls == []
    assert "has no sensitivity label API" in result["not_checked"][0]
    assert "Not checked:" in result["reason"]


def test_a_secret_not_replicated_yet_is_retried_within_the_wait_then_reported():
    fake = FakeServices(token_error={"error": "invalid_client", "error_codes": [7000215],
                                     "error_description": "AADSTS7000215: Invalid client secret provided."})
    now = [0.0]
    slept = []

    def sleep(seconds):
        slept.append(seconds)
        now[0] += seconds

    result = validate(fake, wait=8, sleep=sleep, clock=lambda: now[0])
    assert result["valid"] is False and result["aadsts"] == 7000215
    assert slept == [1, 2, 4] and "canary-secret" not in result["reason"]


def test_a_wrong_secret_without_wait_is_reported_at_once():
    fake = FakeServices(token_error={"error": "invalid_client", "error_codes": [7000215],
                                     "error_description": "AADSTS7000215: Invalid client secret provided."})
    slept = []
    assert validate(fake, sleep=slept.append)["aadsts"] == 7000215
    assert slept == []


def test_the_validator_is_called_as_the_mip_account_reconciler_calls_it():
    fake = FakeServices(roles=granted_everything(), script=[Answer(200, {"value": []})])
    validator = cv.connector_validator(fake, ENDPOINTS)
    result = validator(CLIENT, "canary-secret", TENANT)
    assert result["valid"] is True and fake.tokens_issued[0][1] == "canary-secret"
