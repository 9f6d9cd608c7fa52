"""Power Platform management-app registration needs a signed-in Power Platform admin."""

BAP = "/bap/providers/Microsoft.BusinessAppPlatform/adminApplications"
API = {"api-version": "2020-10-01"}


def test_admin_user_registers_application(emulator, api, tenant):
    user_token = emulator.user_token(
        tenant["tenant_id"], audience="https://service.powerapps.com/", admin=True
    )
    app_id = tenant["admin_client_id"]
    assert api.call("GET", f"{BAP}/{app_id}", user_token, params=API).status_code == 404
    registered = api.call("PUT", f"{BAP}/{app_id}", user_token, params=API)
    assert (registered.status_code, registered.json()["applicationId"]) == (200, app_id)
    assert api.call("GET", f"{BAP}/{app_id}", user_token, params=API).json()["applicationId"] == app_id
    assert [a["applicationId"] for a in api.call("GET", BAP, user_token, params=API).json()["value"]] == [
        app_id
    ]
    assert api.call("DELETE", f"{BAP}/{app_id}", user_token, params=API).status_code == 200
    assert api.call("GET", f"{BAP}/{app_id}", user_token, params=API).status_code == 404


def test_app_only_and_non_admin_tokens_are_refused(emulator, api, tenant):
    app_token = api.admin_token(tenant, scope="https://service.powerapps.com//.default")
    refused = api.call("PUT", f"{BAP}/{tenant['admin_client_id']}", app_token, params=API)
    assert refused.status_code == 403
    assert "app-only" in refused.json()["error"]["message"]
    plain_user = emulator.user_token(tenant["tenant_id"], admin=False)
    assert api.call("PUT", f"{BAP}/{tenant['admin_client_id']}", plain_user, params=API).status_code == 403
    wrong_audience = emulator.user_token(tenant["tenant_id"], audience="https://graph.microsoft.com")
    assert (
        api.call("PUT", f"{BAP}/{tenant['admin_client_id']}", wrong_audience, params=API).status_code == 401
    )
