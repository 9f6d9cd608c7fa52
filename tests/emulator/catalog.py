"""Microsoft's first-party resources as every emulated tenant has them.

App-role and scope ids come from data/microsoft_permission_ids.json (a copy of
shared/reference); the Graph admin roles, the PowerApps Service principal, the
identifier URIs and the ARM role definitions are added here.
"""

import json
from functools import cache
from pathlib import Path

DATA_DIR = Path(__file__).parent / "data"

MICROSOFT_TENANT_ID = "f8cdef31-a31e-4b4a-93e4-5f571e91255a"
GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000"
ARM_APP_ID = "797f4846-ba00-4fd7-ba43-dac1f8f63013"
POWER_APPS_APP_ID = "475226c6-020e-4fb2-8a90-7a972cbfc1d4"

GRAPH_ADMIN_ROLES = {
    "Application.ReadWrite.All": "1bfefb4e-e0b5-418b-a88f-73c46d2cc8e9",
    "Application.ReadWrite.OwnedBy": "18a4783c-866b-4cc7-a460-3d5e5662c884",
    "AppRoleAssignment.ReadWrite.All": "06b708a9-e830-4db3-a914-8e69da51d44f",
    "DelegatedPermissionGrant.ReadWrite.All": "8e8e4742-1d95-4f68-9d56-6ee75648c72a",
}
# What the admin client of every tenant holds on Graph (not OwnedBy: it has the broader right).
ADMIN_CLIENT_GRAPH_ROLES = [
    "Application.ReadWrite.All",
    "AppRoleAssignment.ReadWrite.All",
    "DelegatedPermissionGrant.ReadWrite.All",
]

# Identifier URIs a client may name in `scope` instead of the appId.
IDENTIFIER_URIS = {
    GRAPH_APP_ID: ["https://graph.microsoft.com"],
    ARM_APP_ID: ["https://management.azure.com", "https://management.core.windows.net"],
    POWER_APPS_APP_ID: ["https://service.powerapps.com"],
    "e406a681-f3d4-42a8-90b6-c2b029497af1": ["https://storage.azure.com"],
    "c5393580-f805-4401-95e8-94b7a6ef2fc2": ["https://manage.office.com"],
    "00000012-0000-0000-c000-000000000000": ["https://aadrm.com"],
}

# Directory role template ids that make a user a Power Platform admin.
GLOBAL_ADMINISTRATOR_ROLE = "62e90394-69f5-4237-9190-012177145e10"
POWER_PLATFORM_ADMINISTRATOR_ROLE = "11648597-926c-4cf3-9c36-bcebb0ba8dcc"


@cache
def _permission_ids():
    return json.loads((DATA_DIR / "microsoft_permission_ids.json").read_text())


def arm_role_definitions():
    """ARM built-in role name -> role definition guid."""
    roles = dict(_permission_ids()["arm_role_definitions"])
    roles["Owner"] = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"
    roles["User Access Administrator"] = "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9"
    return roles


def _app_role(value, role_id):
    return {
        "allowedMemberTypes": ["Application"],
        "description": f"Allows the app to use {value} without a signed-in user.",
        "displayName": value,
        "id": role_id,
        "isEnabled": True,
        "origin": "Application",
        "value": value,
    }


def _permission_scope(value, scope_id, resource_name):
    text = f"Access {resource_name} as the signed-in user ({value})."
    return {
        "adminConsentDescription": text,
        "adminConsentDisplayName": value,
        "id": scope_id,
        "isEnabled": True,
        "type": "User",
        "userConsentDescription": text,
        "userConsentDisplayName": value,
        "value": value,
    }


def first_party_resources():
    """One dict per first-party service principal: appId, displayName, appRoles, oauth2PermissionScopes."""
    resources = []
    for entry in _permission_ids()["resources"].values():
        # The reference adds portal names in parentheses; the directory has the plain name.
        name = entry["displayName"].split(" (")[0]
        roles = dict(entry.get("appRoles", {}))
        if entry["appId"] == GRAPH_APP_ID:
            roles.update(GRAPH_ADMIN_ROLES)
        scopes = entry.get("oauth2PermissionScopes", {})
        resources.append(
            {
                "appId": entry["appId"],
                "displayName": name,
                "appRoles": [_app_role(value, role_id) for value, role_id in roles.items()],
                "oauth2PermissionScopes": [
                    _permission_scope(value, scope_id, name) for value, scope_id in scopes.items()
                ],
            }
        )
    resources.append(
        {
            "appId": POWER_APPS_APP_ID,
            "displayName": "PowerApps Service",
            "appRoles": [],
            "oauth2PermissionScopes": [],
        }
    )
    return resources
