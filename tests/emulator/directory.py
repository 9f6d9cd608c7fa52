"""Directory rules of one tenant, shared by Graph, the token endpoint and the control API.

Objects are kept exactly as Graph shows them; what Graph never shows (secret
hashes, certificate bytes, owners, replication times) lives beside them in the
Tenant. Every failure is a ServiceError carrying Graph's code and message.
"""

import base64
import binascii
import copy
import hashlib
import hmac
import os
import secrets
import string
from datetime import timedelta

import jwt
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from . import clouds
from .catalog import IDENTIFIER_URIS, MICROSOFT_TENANT_ID
from .errors import ServiceError
from .state import iso_time, new_id, parse_iso_time, utc_now
from .tokens import b64url

# Shape of a new application, from a recorded `POST /v1.0/applications` response.
APPLICATION_TEMPLATE = {
    "id": None,
    "deletedDateTime": None,
    "appId": None,
    "applicationTemplateId": None,
    "disabledByMicrosoftStatus": None,
    "createdDateTime": None,
    "displayName": None,
    "description": None,
    "groupMembershipClaims": None,
    "identifierUris": [],
    "isDeviceOnlyAuthSupported": None,
    "isFallbackPublicClient": None,
    "notes": None,
    "publisherDomain": None,
    "serviceManagementReference": None,
    "signInAudience": "AzureADandPersonalMicrosoftAccount",
    "tags": [],
    "tokenEncryptionKeyId": None,
    "uniqueName": None,
    "defaultRedirectUri": None,
    "certification": None,
    "optionalClaims": None,
    "addIns": [],
    "api": {
        "acceptMappedClaims": None,
        "knownClientApplications": [],
        "requestedAccessTokenVersion": 2,
        "oauth2PermissionScopes": [],
        "preAuthorizedApplications": [],
    },
    "appRoles": [],
    "info": {
        "logoUrl": None,
        "marketingUrl": None,
        "privacyStatementUrl": None,
        "supportUrl": None,
        "termsOfServiceUrl": None,
    },
    "keyCredentials": [],
    "parentalControlSettings": {"countriesBlockedForMinors": [], "legalAgeGroupRule": "Allow"},
    "passwordCredentials": [],
    "publicClient": {"redirectUris": []},
    "requiredResourceAccess": [],
    "verifiedPublisher": {"displayName": None, "verifiedPublisherId": None, "addedDateTime": None},
    "web": {
        "homePageUrl": None,
        "logoutUrl": None,
        "redirectUris": [],
        "implicitGrantSettings": {"enableAccessTokenIssuance": False, "enableIdTokenIssuance": False},
    },
    "spa": {"redirectUris": []},
}

APPLICATION_READ_ONLY = ("id", "appId", "createdDateTime", "publisherDomain", "passwordCredentials")
SERVICE_PRINCIPAL_READ_ONLY = ("id", "appId", "appOwnerOrganizationId", "passwordCredentials")
# Audience Graph requires in the proof token of addKey/removeKey (the legacy AAD Graph appId).
KEY_PROOF_AUDIENCE = "00000002-0000-0000-c000-000000000000"
SECRET_ALPHABET = string.ascii_letters + string.digits + "~.-_"
NOT_A_VALID_REFERENCE = "Not a valid reference update."


def bad_request(message, code="Request_BadRequest"):
    return ServiceError(400, code, message)


def not_found(object_id):
    return ServiceError(
        404,
        "Request_ResourceNotFound",
        f"Resource '{object_id}' does not exist or one of its queried reference-property "
        "objects are not present.",
    )


def _directory_object_id():
    """Ids like the ones Graph gives app role assignments and permission grants."""
    return b64url(os.urandom(32))


def _merge(target, changes):
    """PATCH semantics: top-level values replace, complex values merge one level deep."""
    for name, value in changes.items():
        if name.startswith("@odata"):
            continue
        if isinstance(value, dict) and isinstance(target.get(name), dict):
            target[name].update(value)
        else:
            target[name] = copy.deepcopy(value)


def _refuse_read_only(current, changes, read_only):
    for name in read_only:
        if name in changes and changes[name] != current.get(name):
            raise bad_request(f"Property '{name}' is read-only and cannot be set.")


def _hash_secret(salt, secret):
    return hashlib.sha256(salt + secret.encode()).digest()


def _new_secret_text():
    body = "".join(secrets.choice(SECRET_ALPHABET) for _unused in range(34))
    prefix = "".join(secrets.choice(string.ascii_letters + string.digits) for _unused in range(3))
    return f"{prefix}8Q~{body}"


def _load_certificate(encoded):
    """A keyCredential `key` (base64 DER, standard or url-safe alphabet) as an X.509 certificate."""
    try:
        padded = encoded + "=" * (-len(encoded) % 4)
        der = base64.b64decode(padded.replace("-", "+").replace("_", "/"), validate=True)
        return x509.load_der_x509_certificate(der)
    except (ValueError, binascii.Error):
        raise bad_request("Invalid certificate: Key value is invalid certificate") from None


def certificate_der(certificate):
    return certificate.public_bytes(Encoding.DER)


class Directory:
    """Operations on one tenant's directory; callers hold the store lock."""

    def __init__(self, store, tenant):
        self.store = store
        self.tenant = tenant

    # --- lookups -------------------------------------------------------------

    def _visible(self, objects, replicated_only):
        return [
            obj for obj in objects.values() if not replicated_only or self.tenant.is_replicated(obj["id"])
        ]

    def applications(self, replicated_only=True):
        return self._visible(self.tenant.applications, replicated_only)

    def service_principals(self, replicated_only=True):
        return self._visible(self.tenant.service_principals, replicated_only)

    def find_application(self, object_id=None, app_id=None, unique_name=None, replicated_only=True):
        for app in self.applications(replicated_only):
            if object_id is not None and app["id"] == object_id.lower():
                return app
            if app_id is not None and (app["appId"] or "") == app_id.lower():
                return app
            if unique_name is not None and (app["uniqueName"] or "").lower() == unique_name.lower():
                return app
        return None

    def find_service_principal(self, object_id=None, app_id=None, replicated_only=True):
        for sp in self.service_principals(replicated_only):
            if object_id is not None and sp["id"] == object_id.lower():
                return sp
            if app_id is not None and sp["appId"] == app_id.lower():
                return sp
        return None

    def find_resource(self, resource):
        """The service principal a token `scope` names, by appId or identifier URI.

        Graph and ARM are named by the hosts of the tenant's cloud; another cloud's host is unknown here."""
        wanted = resource.rstrip("/").lower()
        app_id, known = clouds.resource_app_id(self.tenant.cloud, wanted)
        if not known:
            return None
        wanted = app_id or wanted
        for sp in self.service_principals():
            names = [name.rstrip("/").lower() for name in sp["servicePrincipalNames"]]
            if wanted == sp["appId"] or wanted in names:
                return sp
        return None

    def find_principal(self, object_id, replicated_only=True):
        """A service principal or user that can hold grants and role assignments."""
        object_id = (object_id or "").lower()
        user = self.tenant.users.get(object_id)
        if user is not None:
            return user
        return self.find_service_principal(object_id=object_id, replicated_only=replicated_only)

    def _replicate_later(self, object_id, replicate):
        if replicate:
            self.store.mark_new(self.tenant, object_id)

    # --- applications --------------------------------------------------------

    def create_application(self, properties, owner_id=None, replicate=True):
        properties = dict(properties)
        key_credentials = properties.pop("keyCredentials", [])
        _refuse_read_only({"passwordCredentials": []}, properties, APPLICATION_READ_ONLY)
        if not properties.get("displayName"):
            raise bad_request("Property 'displayName' is required when creating an application.")
        unique_name = properties.get("uniqueName")
        if unique_name and (
            self.find_application(unique_name=unique_name, replicated_only=False)
            or self.find_deleted_application(unique_name)
        ):
            raise bad_request("Another object with the same value for property uniqueName already exists.")
        app = copy.deepcopy(APPLICATION_TEMPLATE)
        _merge(app, properties)
        app.update(
            id=new_id(),
            appId=new_id(),
            createdDateTime=iso_time(utc_now()),
            publisherDomain=self.tenant.domain,
        )
        self.set_key_credentials(app, key_credentials)  # may refuse a bad certificate: store after
        self.tenant.applications[app["id"]] = app
        self.tenant.owners[app["id"]] = {owner_id} if owner_id else set()
        self._replicate_later(app["id"], replicate)
        return app

    def update_application(self, app, properties):
        properties = dict(properties)
        _refuse_read_only(app, properties, APPLICATION_READ_ONLY + ("uniqueName",))
        if "keyCredentials" in properties:
            self.set_key_credentials(app, properties.pop("keyCredentials"))
        _merge(app, properties)
        service_principal = self.find_service_principal(app_id=app["appId"], replicated_only=False)
        if service_principal is not None and "displayName" in properties:
            service_principal["displayName"] = app["displayName"]
            service_principal["appDisplayName"] = app["displayName"]

    def delete_application(self, app):
        """Move the application and its service principal to deleted items, as Entra does: restorable for
        30 days, credentials and owners kept, its uniqueName still taken (see the assumptions register)."""
        service_principal = self.find_service_principal(app_id=app["appId"], replicated_only=False)
        if service_principal is not None:
            self.delete_service_principal(service_principal)
        del self.tenant.applications[app["id"]]
        app["deletedDateTime"] = iso_time(utc_now())
        self.tenant.deleted_applications[app["id"]] = app

    def find_deleted_application(self, unique_name):
        wanted = unique_name.lower()
        return next(
            (a for a in self.tenant.deleted_applications.values() if (a["uniqueName"] or "").lower() == wanted),
            None,
        )

    def deleted_item(self, object_id):
        object_id = object_id.lower()
        return self.tenant.deleted_applications.get(object_id) or self.tenant.deleted_service_principals.get(
            object_id
        )

    def restore(self, item):
        """Bring a deleted application or service principal back (not the grants a principal held)."""
        if item["id"] in self.tenant.deleted_applications:
            if item["uniqueName"] and self.find_application(unique_name=item["uniqueName"], replicated_only=False):
                raise bad_request("Another object with the same value for property uniqueName already exists.")
            del self.tenant.deleted_applications[item["id"]]
            self.tenant.applications[item["id"]] = item
        else:
            if self.find_application(app_id=item["appId"], replicated_only=False) is None:
                raise bad_request(
                    f"The appId '{item['appId']}' of the service principal does not reference a valid "
                    "application object.",
                    code="NoBackingApplicationObject",
                )
            del self.tenant.deleted_service_principals[item["id"]]
            self.tenant.service_principals[item["id"]] = item
        item["deletedDateTime"] = None
        return item

    def purge(self, item):
        """Delete permanently: the object, its credentials and owners are gone and its names free."""
        if self.tenant.deleted_applications.pop(item["id"], None) is not None:
            for credential in item["passwordCredentials"]:
                self.tenant.password_hashes.pop(credential["keyId"], None)
            for credential in item["keyCredentials"]:
                self.tenant.certificates.pop(credential["keyId"], None)
            self.tenant.owners.pop(item["id"], None)
        else:
            self.tenant.deleted_service_principals.pop(item["id"], None)

    def owns(self, principal_id, app):
        return principal_id in self.tenant.owners.get(app["id"], set())

    # --- password credentials ------------------------------------------------

    def add_password(self, app, display_name=None, end_date_time=None, replicate=True, start_date_time=None):
        """Add a client secret; the clear text is returned here and never stored."""
        start = parse_iso_time(start_date_time) if start_date_time else utc_now()
        end = parse_iso_time(end_date_time) if end_date_time else start + timedelta(days=730)
        secret_text = _new_secret_text()
        key_id = new_id()
        salt = os.urandom(16)
        self.tenant.password_hashes[key_id] = (salt, _hash_secret(salt, secret_text))
        credential = {
            "customKeyIdentifier": None,
            "displayName": display_name,
            "endDateTime": iso_time(end),
            "hint": secret_text[:3],
            "keyId": key_id,
            "secretText": None,
            "startDateTime": iso_time(start),
        }
        app["passwordCredentials"].append(credential)
        self._replicate_later(key_id, replicate)
        return dict(credential, secretText=secret_text)

    def remove_password(self, app, key_id):
        remaining = [c for c in app["passwordCredentials"] if c["keyId"] != key_id.lower()]
        if len(remaining) == len(app["passwordCredentials"]):
            raise ServiceError(
                404, "Request_ResourceNotFound", f"No password credential found with keyId '{key_id}'."
            )
        app["passwordCredentials"] = remaining
        self.tenant.password_hashes.pop(key_id.lower(), None)

    def expire_passwords(self, app):
        yesterday = iso_time(utc_now() - timedelta(days=1))
        for credential in app["passwordCredentials"]:
            credential["endDateTime"] = yesterday
        return len(app["passwordCredentials"])

    def check_client_secret(self, app, secret):
        """'valid', 'expired' or 'invalid' for a secret presented at the token endpoint."""
        for credential in app["passwordCredentials"]:
            if not self.tenant.is_replicated(credential["keyId"]):
                continue
            salt, digest = self.tenant.password_hashes[credential["keyId"]]
            if hmac.compare_digest(digest, _hash_secret(salt, secret)):
                expired = parse_iso_time(credential["endDateTime"]) <= utc_now()
                return "expired" if expired else "valid"
        return "invalid"

    # --- key credentials (certificates) --------------------------------------

    def set_key_credentials(self, app, entries):
        """Replace the app's certificates; an entry without `key` keeps the one with its keyId."""
        credentials, material = [], {}
        for entry in entries:
            key_id = (entry.get("keyId") or "").lower()
            if entry.get("key"):
                certificate = _load_certificate(entry["key"])
            elif key_id in self.tenant.certificates:
                certificate = x509.load_der_x509_certificate(self.tenant.certificates[key_id])
            else:
                raise bad_request("Key credential 'key' is required for a new certificate.")
            if not entry.get("type") or not entry.get("usage"):
                raise bad_request("Key credential 'type' and 'usage' are required.")
            credential = {
                "customKeyIdentifier": entry.get("customKeyIdentifier")
                or hashlib.sha1(certificate_der(certificate)).hexdigest().upper(),
                "displayName": entry.get("displayName") or certificate.subject.rfc4514_string(),
                "endDateTime": entry.get("endDateTime") or iso_time(certificate.not_valid_after_utc),
                "key": None,
                "keyId": key_id or new_id(),
                "startDateTime": entry.get("startDateTime") or iso_time(certificate.not_valid_before_utc),
                "type": entry["type"],
                "usage": entry["usage"],
            }
            credentials.append(credential)
            material[credential["keyId"]] = certificate_der(certificate)
        for old in app["keyCredentials"]:
            self.tenant.certificates.pop(old["keyId"], None)
        self.tenant.certificates.update(material)
        app["keyCredentials"] = credentials

    def certificates(self, app):
        """(keyCredential, certificate) for each verification certificate of the app."""
        pairs = []
        for credential in app["keyCredentials"]:
            der = self.tenant.certificates.get(credential["keyId"])
            if der is not None and credential["usage"] == "Verify":
                pairs.append((credential, x509.load_der_x509_certificate(der)))
        return pairs

    def _check_key_proof(self, app, proof):
        """Graph's proof of possession: a JWT signed by one of the app's current certificates."""
        for _unused, certificate in self.certificates(app):
            try:
                claims = jwt.decode(
                    proof or "",
                    certificate.public_key(),
                    algorithms=["RS256", "PS256"],
                    audience=KEY_PROOF_AUDIENCE,
                    options={"require": ["exp", "nbf", "iss", "aud"]},
                )
            except jwt.InvalidTokenError:
                continue
            if claims["iss"].lower() == app["id"]:
                return
        raise bad_request("The proof of possession token is invalid or not signed by a current key.")

    def add_key(self, app, key_credential, proof):
        self._check_key_proof(app, proof)
        # Current entries carry their keyId, so set_key_credentials keeps their certificates.
        self.set_key_credentials(app, [dict(c) for c in app["keyCredentials"]] + [key_credential])
        return dict(app["keyCredentials"][-1])

    def remove_key(self, app, key_id, proof):
        self._check_key_proof(app, proof)
        if not any(c["keyId"] == key_id.lower() for c in app["keyCredentials"]):
            raise ServiceError(
                404, "Request_ResourceNotFound", f"No key credential found with keyId '{key_id}'."
            )
        self.tenant.certificates.pop(key_id.lower(), None)
        app["keyCredentials"] = [c for c in app["keyCredentials"] if c["keyId"] != key_id.lower()]

    # --- service principals --------------------------------------------------

    def _service_principal(self, app_id, display_name, owner_tenant, roles, scopes, names):
        return {
            "id": new_id(),
            "deletedDateTime": None,
            "accountEnabled": True,
            "alternativeNames": [],
            "appDisplayName": display_name,
            "appDescription": None,
            "appId": app_id,
            "applicationTemplateId": None,
            "appOwnerOrganizationId": owner_tenant,
            "appRoleAssignmentRequired": False,
            "description": None,
            "displayName": display_name,
            "homepage": None,
            "keyCredentials": [],
            "notes": None,
            "passwordCredentials": [],
            "replyUrls": [],
            "servicePrincipalNames": names,
            "servicePrincipalType": "Application",
            "signInAudience": "AzureADMultipleOrgs",
            "tags": [],
            "appRoles": roles,
            "oauth2PermissionScopes": scopes,
        }

    def add_first_party_service_principal(self, resource):
        sp = self._service_principal(
            resource["appId"],
            resource["displayName"],
            MICROSOFT_TENANT_ID,
            copy.deepcopy(resource["appRoles"]),
            copy.deepcopy(resource["oauth2PermissionScopes"]),
            [resource["appId"], *IDENTIFIER_URIS.get(resource["appId"], [])],
        )
        self.tenant.service_principals[sp["id"]] = sp
        return sp

    def create_service_principal(self, app_id, properties=None, replicate=True):
        """The service principal of one of this tenant's applications."""
        app = self.find_application(app_id=app_id or "")
        if app is None:
            raise bad_request(
                f"The appId '{app_id}' of the service principal does not reference a valid "
                "application object.",
                code="NoBackingApplicationObject",
            )
        if self.find_service_principal(app_id=app["appId"], replicated_only=False) is not None:
            raise ServiceError(
                409,
                "Request_MultipleObjectsWithSameKeyValue",
                "The service principal cannot be created, updated, or restored because the service "
                f"principal name {app['appId']} is already in use.",
            )
        sp = self._service_principal(
            app["appId"],
            app["displayName"],
            self.tenant.tenant_id,
            copy.deepcopy(app["appRoles"]),
            copy.deepcopy(app["api"]["oauth2PermissionScopes"]),
            [app["appId"], *app["identifierUris"]],
        )
        sp["signInAudience"] = app["signInAudience"]
        self.update_service_principal(sp, {k: v for k, v in (properties or {}).items() if k != "appId"})
        self.tenant.service_principals[sp["id"]] = sp
        self._replicate_later(sp["id"], replicate)
        return sp

    def update_service_principal(self, sp, properties):
        _refuse_read_only(sp, properties, SERVICE_PRINCIPAL_READ_ONLY)
        _merge(sp, properties)

    def delete_service_principal(self, sp):
        """Move the principal to deleted items; every grant to or from it is removed."""
        sp_id = sp["id"]
        assignments = self.tenant.app_role_assignments
        for key in [k for k, a in assignments.items() if sp_id in (a["principalId"], a["resourceId"])]:
            del assignments[key]
        grants = self.tenant.permission_grants
        for key in [k for k, g in grants.items() if sp_id in (g["clientId"], g["resourceId"])]:
            del grants[key]
        for owners in self.tenant.owners.values():
            owners.discard(sp_id)
        del self.tenant.service_principals[sp_id]
        sp["deletedDateTime"] = iso_time(utc_now())
        self.tenant.deleted_service_principals[sp_id] = sp

    def owns_service_principal(self, principal_id, sp):
        app = self.find_application(app_id=sp["appId"], replicated_only=False)
        return app is not None and self.owns(principal_id, app)

    # --- application permissions (app role assignments) ----------------------

    def assign_app_role(self, resource, principal_id, app_role_id, replicate=True):
        """Grant an app role; it reaches the principal's tokens only once replicated (consent lag)."""
        principal = self.find_principal(principal_id)
        if principal is None:
            raise bad_request(NOT_A_VALID_REFERENCE)
        role = next((r for r in resource["appRoles"] if r["id"] == (app_role_id or "").lower()), None)
        if role is None:
            raise bad_request(
                f"Permission being assigned was not found on application '{resource['appId']}'."
            )
        for existing in self.tenant.app_role_assignments.values():
            if (existing["principalId"], existing["resourceId"], existing["appRoleId"]) == (
                principal["id"],
                resource["id"],
                role["id"],
            ):
                raise bad_request("Permission being assigned already exists on the object")
        assignment = {
            "id": _directory_object_id(),
            "deletedDateTime": None,
            "appRoleId": role["id"],
            "createdDateTime": iso_time(utc_now()),
            "principalDisplayName": principal["displayName"],
            "principalId": principal["id"],
            "principalType": "User" if principal["id"] in self.tenant.users else "ServicePrincipal",
            "resourceDisplayName": resource["displayName"],
            "resourceId": resource["id"],
        }
        self.tenant.app_role_assignments[assignment["id"]] = assignment
        self._replicate_later(assignment["id"], replicate)
        return assignment

    def app_role_assignments(self, principal_id=None, resource_id=None):
        return [
            a
            for a in self.tenant.app_role_assignments.values()
            if principal_id in (None, a["principalId"]) and resource_id in (None, a["resourceId"])
        ]

    def granted_role_values(self, principal_id, resource):
        """Values of the app roles the principal holds on resource: a token's `roles` claim.
        A grant still replicating is not in it yet."""
        granted = {
            a["appRoleId"]
            for a in self.app_role_assignments(principal_id, resource["id"])
            if self.tenant.is_replicated(a["id"])
        }
        return sorted(r["value"] for r in resource["appRoles"] if r["id"] in granted)

    # --- delegated permissions (oauth2PermissionGrants) ----------------------

    def create_permission_grant(self, properties):
        client = self.find_service_principal(object_id=properties.get("clientId") or "")
        resource = self.find_service_principal(object_id=properties.get("resourceId") or "")
        if client is None or resource is None:
            raise bad_request(NOT_A_VALID_REFERENCE)
        consent_type = properties.get("consentType")
        principal_id = properties.get("principalId")
        if consent_type not in ("AllPrincipals", "Principal"):
            raise bad_request("Invalid value specified for property 'consentType'.")
        if (consent_type == "Principal") != bool(principal_id):
            raise bad_request("principalId must be set exactly when consentType is 'Principal'.")
        for grant in self.tenant.permission_grants.values():
            same = (grant["clientId"], grant["resourceId"], grant["consentType"], grant["principalId"])
            if same == (client["id"], resource["id"], consent_type, principal_id):
                raise ServiceError(
                    409, "Request_MultipleObjectsWithSameKeyValue", "Permission entry already exists."
                )
        grant = {
            "id": _directory_object_id(),
            "clientId": client["id"],
            "consentType": consent_type,
            "principalId": principal_id,
            "resourceId": resource["id"],
            "scope": properties.get("scope") or "",
        }
        self.tenant.permission_grants[grant["id"]] = grant
        return grant
