"""The ZIA part of the control API (/_emulator/zia/...): organisations, accounts made
"in the Admin Portal", and the knobs of the emulated cloud.
"""

import copy
import time
import uuid

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from werkzeug.routing import Rule

from .errors import ServiceError
from .web import json_response, read_json
from .zia import lite_view, validate_connector, validation_view
from .zia_state import (
    CUSTOM,
    MIP,
    RETRY_AFTER_FORMS,
    ZSCALER_DEFINED,
    Validation,
    expire_idle_sessions,
    settle,
)

# Config keys and how to read each from JSON.
CONFIG_TYPES = {
    "rate_limits": bool,
    "retry_after_form": str,
    "edit_lock_writes": int,
    "maintenance": bool,
    "write_contract": bool,
    "activation_seconds": float,
    "label_retrieval_seconds": float,
    "session_timeout": float,
}
SEED_FIELDS = {
    "tenantName",
    "enterpriseTenantId",
    "connectorType",
    "clientId",
    "clientSecret",
    "labelRetrieval",
    "tenantInactive",
    "validationSuccess",
}


def _bad_request(message):
    return ServiceError(400, "BadRequest", message)


class ZiaControl:
    def __init__(self, store, cloud, entra):
        self.store = store
        self.cloud = cloud
        self.entra = entra
        # Issuer of the tokens a validation gets; set once the emulator listens.
        self.base_url = "https://127.0.0.1"

    def rules(self):
        """Rules for the control API's url map (relative to /_emulator)."""
        return [
            Rule("/zia/orgs", endpoint=self._http_create_org, methods=["POST"]),
            Rule("/zia/orgs/<int:org_id>", endpoint=self._http_state, methods=["GET"]),
            Rule("/zia/orgs/<int:org_id>/mip_accounts", endpoint=self._http_seed_account, methods=["POST"]),
            Rule("/zia/orgs/<int:org_id>/oneapi_key", endpoint=self._http_oneapi_key, methods=["POST"]),
            Rule("/zia/config", endpoint=self._http_configure, methods=["GET", "POST"]),
        ]

    # --- operations --------------------------------------------------------------

    def _org(self, org_id):
        org = self.cloud.org(org_id)
        if org is None:
            raise ServiceError(404, "OrgNotFound", f"No emulated ZIA organisation '{org_id}'.")
        return org

    def create_org(self):
        """A new organisation: its OneAPI client, admin login and API key (secrets included)."""
        with self.store.lock:
            return self.cloud.create_org().credentials()

    def seed_mip_account(self, org_id, **fields):
        """An MIP account as a person makes it in the Admin Portal, saved and activated.

        Credentials given for a CUSTOM connector are validated against the emulated
        Entra; otherwise validationSuccess (default true) says how validation went.
        Names are not checked for uniqueness, so tests can make the duplicates a
        person could leave behind.
        """
        unknown = set(fields) - SEED_FIELDS
        if unknown or not fields.get("tenantName"):
            raise _bad_request(
                f"tenantName is required; unknown fields: {', '.join(sorted(unknown)) or 'none'}"
            )
        with self.store.lock:
            org, now = self._org(org_id), time.time()
            tenant = self.cloud.new_tenant(
                org,
                fields["tenantName"],
                MIP,
                str(uuid.UUID(fields.get("enterpriseTenantId") or str(uuid.uuid4()))),
            )
            self._fill(tenant, fields, now)
            if tenant.retrieves_labels():
                tenant.retrieval_due = now + self.cloud.config.label_retrieval_seconds
            return lite_view(tenant, now)

    def _fill(self, tenant, fields, now):
        tenant.connector_type = fields.get("connectorType", ZSCALER_DEFINED)
        if tenant.connector_type not in (CUSTOM, ZSCALER_DEFINED):
            raise _bad_request("connectorType must be CUSTOM or ZSCALER_DEFINED")
        tenant.client_id = fields.get("clientId")
        tenant.client_secret = fields.get("clientSecret")
        tenant.app_tenant_ref["name"] = tenant.client_id or str(uuid.uuid4())
        tenant.label_retrieval = bool(fields.get("labelRetrieval", False))
        tenant.inactive = bool(fields.get("tenantInactive", False))
        if tenant.connector_type == CUSTOM and tenant.client_id and tenant.client_secret:
            tenant.validation = validate_connector(self.entra, tenant, self.base_url, now)
        else:
            tenant.validation = Validation(ok=bool(fields.get("validationSuccess", True)), time=int(now))

    def oneapi_key(self, org_id):
        """A new RSA key for private-key-JWT sign-in of the org's OneAPI client (replaces any earlier)."""
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        with self.store.lock:
            org = self._org(org_id)
            org.oneapi_public_key = key.public_key()
            client_id = org.oneapi_client_id
        pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode()
        return {"client_id": client_id, "private_key": pem}

    def configure(self, **changes):
        unknown = set(changes) - set(CONFIG_TYPES)
        if unknown:
            raise _bad_request(f"unknown ZIA config keys: {', '.join(sorted(unknown))}")
        values = {name: CONFIG_TYPES[name](value) for name, value in changes.items() if value is not None}
        if values.get("retry_after_form", RETRY_AFTER_FORMS[0]) not in RETRY_AFTER_FORMS:
            raise _bad_request(f"retry_after_form must be one of {', '.join(RETRY_AFTER_FORMS)}")
        if any(
            values.get(name, 0) < 0
            for name in ("edit_lock_writes", "activation_seconds", "label_retrieval_seconds")
        ):
            raise _bad_request("counts and durations must not be negative")
        if values.get("session_timeout", 1) <= 0:
            raise _bad_request("session_timeout must be positive")
        with self.store.lock:
            for name, value in values.items():
                setattr(self.cloud.config, name, value)
            return self.cloud.config.describe()

    def state(self, org_id):
        """The org as tests inspect it: config status and every SaaS tenant, no secret anywhere."""
        with self.store.lock:
            org, now = self._org(org_id), time.time()
            # A session that went idle has ended, and activated what it staged.
            expire_idle_sessions(self.cloud, now)
            settle(self.cloud, self.store, org, now)
            tenants = []
            for tenant in sorted(org.tenants.values(), key=lambda t: t.tenant_id):
                validation = validation_view(tenant)
                del validation["tenantAuthorizationInfo"]
                tags = sorted(tenant.tags.values(), key=lambda tag: tag["priority"])
                tenants.append(
                    dict(lite_view(tenant, now), validation=validation, labels=copy.deepcopy(tags))
                )
            return {
                "org_id": org.org_id,
                "vanity": org.vanity,
                "username": org.username,
                "oneapi_client_id": org.oneapi_client_id,
                "status": org.config_status(now),
                "tenants": tenants,
                "sessions": sum(1 for s in self.cloud.sessions.values() if s.org_id == org.org_id),
                # Rate-limited requests let through per kind, and "429": those refused.
                "requests": dict(org.counted),
                "last_counted": org.last_counted,
            }

    def reset(self):
        with self.store.lock:
            self.cloud.reset()

    # --- HTTP ----------------------------------------------------------------------

    def _http_create_org(self, request):
        return json_response(201, self.create_org())

    def _http_state(self, request, org_id):
        return json_response(200, self.state(org_id))

    def _http_seed_account(self, request, org_id):
        return json_response(201, self.seed_mip_account(org_id, **read_json(request)))

    def _http_oneapi_key(self, request, org_id):
        return json_response(201, self.oneapi_key(org_id))

    def _http_configure(self, request):
        if request.method == "GET":
            with self.store.lock:
                return json_response(200, self.cloud.config.describe())
        return json_response(200, self.configure(**read_json(request)))
