"""Small helpers the integration tests share."""

import base64
import json
import time

import requests

# A secret made a moment ago reaches Entra's token replicas after the emulator's replication
# lag (conftest: up to 0.5 s by default), as in Entra: a fresh secret may be refused meanwhile.
FRESH_SECRET_GRACE = 5.0


def token_with_secret(tenant, client_id, client_secret, resource="https://graph.microsoft.com", raw=False):
    """Ask the emulator's Entra for an app-only token; return its claims (or the raw token).

    Raises AssertionError with the AADSTS answer when Entra refuses, so tests
    can assert that a credential works or no longer works.
    """
    deadline = time.monotonic() + FRESH_SECRET_GRACE
    while True:
        answer = requests.post(
            "%s/entra/%s/oauth2/v2.0/token" % (tenant.emulator.url, tenant.tenant_id),
            data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": client_secret,
                  "scope": resource + "/.default"},
            verify=tenant.emulator.ca_file, timeout=10)
        # 7000215 (invalid secret) may only mean the secret has not replicated yet: ask again briefly.
        if answer.status_code == 200 or 7000215 not in (answer.json().get("error_codes") or []):
            break
        if time.monotonic() > deadline:
            break
        time.sleep(0.25)
    if answer.status_code != 200:
        raise AssertionError("token refused: %s" % answer.json().get("error_codes"))
    token = answer.json()["access_token"]
    if raw:
        return token
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
