# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Clients: every client a module run uses, built once from the options, with the 401 refresh hook."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type


import pytest

from ansible_collections.mipconnect.zia.plugins.module_utils import clients as clients_module
from ansible_collections.mipconnect.zia.plugins.module_utils.errors import ApiError, InputError
from ansible_collections.mipconnect.zia.plugins.module_utils.zia.zia_auth import OneApiAuth
from ansible_collections.mipconnect.zia.plugins.module_utils.zia.zia_rate_limits import SharedWindows
from ansible_collections.mipconnect.zia.tests.unit.plugins.module_utils.fakes import (
    AUTHORITY,
    CLIENT,
    TENANT,
    Answer,
    FakeServices,
)


pytestmark = pytest.mark.usefixtures("private_tmp")  # conftest.py: a temp dir per test


def params(**overrides):
    values = dict(timeout=30, max_retries=5, max_retry_wait=120, replication_timeout=180, ca_bundle=None,
                  validate_certs=True, token_cache=True, cloud="public", authority_url=AUTHORITY, graph_url=None,
                  arm_url=None, power_platform_url=None, tenant_id=TENANT, auth_client_id=CLIENT,
                  auth_client_secret="canary-secret", auth_certificate_path=None, auth_certificate_password=None)
    values.update(overrides)
    return values


def with_fake(monkeypatch, fake, **overrides):
    monkeypatch.setattr(clients_module, "http_client", lambda params, warn: fake)
    return clients_module.Clients(params(**overrides))


@pytest.mark.parametrize("overrides, option", [
    (dict(timeout=0), "timeout"),
    (dict(max_retries=21), "max_retries"),
    (dict(max_retry_wait=-1), "max_retry_wait"),
    (dict(replication_timeout=3601), "replication_timeout"),
    (dict(ca_bundle="/nonexistent/ca.pem"), "ca_bundle"),
])
def test_connection_options_out_of_range_are_refused(overrides, option):
    with pytest.raises(InputError) as caught:
        clients_module.Clients(params(**overrides)).http()
    assert caught.value.option == option


@pytest.mark.parametrize("validate_certs", [True, False])
def test_unchecked_tls_is_said_out_loud_once(validate_certs):
    heard = []
    clients = clients_module.Clients(params(validate_certs=validate_certs), warn=heard.append)
    http = clients.http()
    assert clients.http() is http
    assert heard == ([] if validate_certs else [clients_module.UNVERIFIED_TLS_WARNING])
    assert http.settings.verify is validate_certs
    clients.close()


@pytest.mark.parametrize("build, resource, url", [
    (lambda c: c.graph(), "https://graph.microsoft.com", "https://graph.microsoft.com/v1.0/applications"),
    (lambda c: c.arm(), "https://management.azure.com", "https://management.azure.com/applications"),
])
def test_a_refused_token_is_dropped_and_the_request_sent_once_more_with_a_new_one(monkeypatch, build, resource, url):
    fake = FakeServices(script=[Answer(401, {"error": {"code": "InvalidAuthenticationToken"}}),
                                Answer(200, {"value": []})])
    client = build(with_fake(monkeypatch, fake))
    assert client.get("/applications") == {"value": []}
    assert [scope for scope, _secret in fake.tokens_issued] == [resource + "/.default"] * 2
    first, second = fake.calls
    assert first[:2] == second[:2] == ("GET", url)
    assert first[2] != second[2]


def test_a_second_refusal_is_the_error():
    fake = FakeServices(script=[Answer(401, {"error": {"code": "InvalidAuthenticationToken"}})] * 2)
    clients = clients_module.Clients(params())
    clients._http = fake
    with pytest.raises(ApiError) as caught:
        clients.graph().get("/applications")
    assert caught.value.status == 401 and len(fake.calls) == 2


def test_one_identity_per_run_and_graph_versions_share_it(monkeypatch):
    fake = FakeServices()
    clients = with_fake(monkeypatch, fake)
    assert clients.entra_tokens() is clients.entra_tokens()
    assert clients.graph("beta").base_url == "https://graph.microsoft.com/beta"
    clients.graph("beta").get("/x")
    clients.graph("v1.0").get("/x")
    assert len(fake.tokens_issued) == 1


def test_power_platform_gets_the_token_the_task_gave_not_an_app_only_one(monkeypatch):
    fake = FakeServices()
    clients = with_fake(monkeypatch, fake)
    clients.power_platform("canary-pp-token").get_management_app(CLIENT)
    assert fake.calls[0][1].startswith("https://api.bap.microsoft.com/providers/Microsoft.BusinessAppPlatform/")
    assert fake.calls[0][2] == "canary-pp-token" and fake.tokens_issued == []


def zia_params(**overrides):
    return params(zscaler_client_id="zs-client", zscaler_client_secret="zs-secret", zscaler_private_key=None,
                  zscaler_vanity_domain=None, zscaler_cloud=None,
                  zscaler_token_url="https://vanity.zslogin.example/oauth2/v1/token",
                  zia_username=None, zia_password=None, zia_api_key=None, zia_cloud=None,
                  zia_api_url="https://zia.example/zia/api/v1", **overrides)


def test_one_zia_client_per_run_paced_by_the_organisation_s_shared_windows(monkeypatch):
    fake = FakeServices()
    monkeypatch.setattr(clients_module, "http_client", lambda params, warn: fake)
    clients = clients_module.Clients(zia_params())
    zia = clients.zia()
    assert clients.zia() is zia
    assert isinstance(zia.auth, OneApiAuth) and zia.base_url == "https://zia.example/zia/api/v1"
    assert isinstance(zia.limiter._windows, SharedWindows)
    assert clients.close() == [] and fake.closed
    assert clients.zia() is not zia  # a closed run's client is not reused


@pytest.mark.parametrize("option", ["zia_api_url", "zscaler_token_url"])
def test_zia_urls_must_be_https(option):
    values = zia_params()
    values[option] = "http://plain.example"
    clients = clients_module.Clients(values)
    with pytest.raises(InputError) as caught:
        clients.zia()
    assert caught.value.option == option


@pytest.mark.parametrize("legacy, ended", [(True, ["logout"]), (False, [])])
def test_only_a_legacy_session_s_end_activates_what_the_run_saved(monkeypatch, legacy, ended):
    fake = FakeServices()
    monkeypatch.setattr(clients_module, "http_client", lambda params, warn: fake)
    values = zia_params()
    if legacy:
        values.update(zscaler_client_id=None, zia_username="admin@example.com", zia_password="pw",
                      zia_api_key="abcdefghijkl", zia_api_url="https://zia.example/api/v1")
    else:
        fake.script.append(Answer(200, {"access_token": "zs-token", "expires_in": 3600}))
    clients = clients_module.Clients(values)
    clients.zia().call("POST", "/casbTenant", json={})
    assert clients.close() == ended
