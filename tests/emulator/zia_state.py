"""ZIA organisations as the emulator keeps them: SaaS tenants (MIP accounts among
them), staged changes and activation, label retrieval, sign-in sessions and tokens.

Time-based changes (activation finishing, labels being retrieved, sessions
going idle) are worked out lazily from timestamps whenever state is read: there
are no background threads. Callers hold the store lock.
"""

import base64
import os
import secrets
import string
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field

from . import labels
from .zia_limits import RateLimiter

MIP = "MIP"
CUSTOM = "CUSTOM"
ZSCALER_DEFINED = "ZSCALER_DEFINED"
# The status values real /casbTenant/lite answers were recorded with.
ACTIVE = "CASB_TENANT_ACTIVE"
VALIDATION_SUCCESS = "CASB_TENANT_VALIDATION_SUCCESS"
# Values no recording or document shows, served only with assumed_status_values
# (docs/assumptions.md): names guessed after the recorded ones.
ASSUMED_INACTIVE = "CASB_TENANT_INACTIVE"
ASSUMED_VALIDATION_FAILED = "CASB_TENANT_VALIDATION_FAILED"
ASSUMED_RETRIEVAL_PENDING = "CASB_TENANT_RETRIEVAL_PENDING"
# The Graph permission ZIA's MIP connector needs, per Zscaler's permission table.
MIP_GRAPH_ROLE = "InformationProtectionPolicy.Read.All"
RETRY_AFTER_FORMS = ("header_seconds_suffix", "header_zero_seconds", "body")


@dataclass
class ZiaConfig:
    rate_limits: bool = True
    retry_after_form: str = "header_seconds_suffix"
    edit_lock_writes: int = 0
    maintenance: bool = False
    # The write contract our collection assumes (POST/PUT/DELETE /casbTenant and the contract's
    # connectorType, labelRetrieval, tenantInactive in lite entries): not Zscaler's API.
    assumed_write_contract: bool = False
    # Guessed status values for states no recording shows (inactive, failed, retrieving).
    assumed_status_values: bool = False
    activation_seconds: float = 1.0
    label_retrieval_seconds: float = 1.0
    session_timeout: float = 300.0

    def describe(self):
        return dict(self.__dict__)


@dataclass
class Validation:
    """The outcome of ZIA signing in to Microsoft with an account's credentials."""

    ok: bool
    time: int
    error_code: int = 0
    message: str = ""
    access_token: str = ""


@dataclass
class SaasTenant:
    """One entry of /casbTenant/lite; the MIP fields matter only for saas_application MIP."""

    tenant_id: int
    name: str
    saas_application: str
    enterprise_tenant_id: str
    app_tenant_ref: dict
    identity_info: str
    connector_type: str | None = None
    client_id: str | None = None
    client_secret: str | None = None
    label_retrieval: bool = False
    inactive: bool = False
    deleted: bool = False
    modified_time: int = 0
    validation: Validation | None = None
    features: list = field(default_factory=list)
    # Labels ZIA holds, keyed by Graph label id: the tags/policy entries, documented fields only.
    tags: dict = field(default_factory=dict)
    # Graph label id -> position at the last scan, so that tags list in Purview's order.
    tag_rank: dict = field(default_factory=dict)
    # A /casbTenant/lite entry (and tags/policy list) replayed verbatim from a recording.
    recorded_entry: dict | None = None
    recorded_tags: list | None = None
    tags_scan: dict | None = None
    # Epoch seconds at which a scheduled label retrieval finishes, or None.
    retrieval_due: float | None = None

    @property
    def is_mip(self):
        return self.saas_application == MIP

    def retrieves_labels(self):
        """Whether ZIA fetches this account's labels once the configuration is active."""
        return (
            self.is_mip
            and self.label_retrieval
            and not self.inactive
            and not self.deleted
            and self.validation is not None
            and self.validation.ok
        )

    @property
    def validated(self):
        return self.validation is not None and self.validation.ok

    def statuses(self, now, assumed_values=False):
        """The status list. By default only recorded values: a state no recording shows a value
        for (inactive, validation failed) leaves the recorded value out; with ``assumed_values``
        the guessed values stand in for them."""
        if not self.is_mip:
            return [ACTIVE, VALIDATION_SUCCESS]
        if not assumed_values:
            return ([] if self.inactive else [ACTIVE]) + ([VALIDATION_SUCCESS] if self.validated else [])
        found = [
            ASSUMED_INACTIVE if self.inactive else ACTIVE,
            VALIDATION_SUCCESS if self.validated else ASSUMED_VALIDATION_FAILED,
        ]
        if self.retrieval_due is not None and now < self.retrieval_due:
            found.append(ASSUMED_RETRIEVAL_PENDING)
        return found


@dataclass
class ZiaOrg:
    org_id: int
    vanity: str
    oneapi_client_id: str
    oneapi_client_secret: str
    username: str
    password: str
    api_key: str
    tenants: dict = field(default_factory=dict)
    # True once a write is staged and until the next activation starts.
    pending: bool = False
    activation_done_at: float = 0.0
    # Public key for private-key-JWT sign-in to the OneAPI token endpoint, once one was made.
    oneapi_public_key: object = None
    # The credentials (legacy session ids, OneAPI tokens) that saved changes since the last
    # activation: ZIA activates them when such a session ends (see end_credential).
    staged_by: set = field(default_factory=set)
    # Requests the rate limit let through, per kind (GET, WRITE, DELETE, ACTIVATE), and the
    # ones it refused ("429"): ZIA's limits are per organisation, so are these counts.
    counted: Counter = field(default_factory=Counter)
    # When the last of those requests arrived (epoch seconds), or None.
    last_counted: float | None = None

    def credentials(self):
        return {
            "org_id": self.org_id,
            "vanity": self.vanity,
            "oneapi_client_id": self.oneapi_client_id,
            "oneapi_client_secret": self.oneapi_client_secret,
            "username": self.username,
            "password": self.password,
            "api_key": self.api_key,
        }

    def config_status(self, now):
        if now < self.activation_done_at:
            return "INPROGRESS"
        return "PENDING" if self.pending else "ACTIVE"

    def live_tenants(self):
        return [t for t in self.tenants.values() if not t.deleted]


@dataclass
class Session:
    org_id: int
    last_used: float


class ZiaCloud:
    """Every emulated ZIA organisation, with the cloud-wide config, sessions and tokens."""

    def __init__(self):
        self.limiter = RateLimiter()
        self.reset()

    def reset(self):
        """Forget every org; in place, as services hold on to this object."""
        self.config = ZiaConfig()
        self.orgs = {}
        self.sessions = {}
        # OneAPI access token -> (org id, expiry epoch seconds).
        self.tokens = {}
        self.limiter.clear()
        self._next_org_id = 24500000 + secrets.randbelow(100000)
        self._next_id = 11700000 + secrets.randbelow(100000)

    def next_id(self):
        self._next_id += 1
        return self._next_id

    def create_org(self):
        self._next_org_id += 1
        org_id = self._next_org_id
        org = ZiaOrg(
            org_id=org_id,
            vanity=f"emu{org_id}",
            oneapi_client_id=secrets.token_hex(12),
            oneapi_client_secret=secrets.token_urlsafe(30),
            username=f"admin@emu{org_id}.zscalerbeta.net",
            password=secrets.token_urlsafe(12) + "!9a",
            api_key="".join(secrets.choice(string.ascii_letters + string.digits) for _unused in range(12)),
        )
        self.orgs[org_id] = org
        self._add_other_saas_tenant(org)
        return org

    def _add_other_saas_tenant(self, org):
        """A SaaS tenant that is not MIP, as every real org listing has: clients must filter."""
        tenant = self.new_tenant(org, "Bitbucket1", "BITBUCKET", str(uuid.uuid4()))
        tenant.features = ["CASB", "SSPM"]
        tenant.validation = Validation(ok=True, time=int(time.time()))

    def new_tenant(self, org, name, saas_application, enterprise_tenant_id):
        tenant = SaasTenant(
            tenant_id=self.next_id(),
            name=name,
            saas_application=saas_application,
            enterprise_tenant_id=enterprise_tenant_id,
            app_tenant_ref={"id": 50000 + secrets.randbelow(50000), "name": ""},
            identity_info=base64.b64encode(os.urandom(30)).decode(),
            modified_time=int(time.time()),
        )
        org.tenants[tenant.tenant_id] = tenant
        return tenant

    def org(self, org_id):
        try:
            return self.orgs.get(int(org_id))
        except (TypeError, ValueError):
            return None

    def org_by_username(self, username):
        wanted = str(username or "").lower()
        return next((o for o in self.orgs.values() if o.username.lower() == wanted), None)

    def org_by_client_id(self, client_id):
        return next((o for o in self.orgs.values() if o.oneapi_client_id == client_id), None)


# --- sessions ending ----------------------------------------------------------------
#
# ZIA activates the changes a legacy API session saved when that session ends, by
# DELETE /authenticatedSession or by the idle timeout (Zscaler's activation help page;
# the Python SDK's legacy client logs out at exit for that reason). Zscaler's Python SDK
# also ends a OneAPI client's ZIA session with DELETE /authenticatedSession and its bearer
# token "to activate staged configurations"; a OneAPI token that merely expires activates
# nothing (docs/assumptions.md).


def stage(org, credential):
    """Record a saved change: the org's configuration is PENDING, and ``credential`` staged it."""
    org.pending = True
    org.staged_by.add(credential)


def end_credential(cloud, org, credential, ended_at):
    """A session (or a token's ZIA session) ends: ZIA activates what it staged."""
    if credential in org.staged_by:
        activate(org, cloud.config, ended_at)


def expire_idle_sessions(cloud, now):
    """End every legacy session idle for longer than the timeout, at the moment it went idle."""
    timeout = cloud.config.session_timeout
    for session_id, session in list(cloud.sessions.items()):
        if now - session.last_used > timeout:
            del cloud.sessions[session_id]
            org = cloud.orgs.get(session.org_id)
            if org is not None:
                end_credential(cloud, org, session_credential(session_id), session.last_used + timeout)


def session_credential(session_id):
    return f"session:{session_id}"


def token_credential(token):
    return f"token:{token}"


# --- activation and label retrieval ----------------------------------------------


def activate(org, config, now):
    """Start an activation; every account that retrieves labels fetches them once it is done."""
    org.pending = False
    org.staged_by.clear()
    org.activation_done_at = now + config.activation_seconds
    for tenant in org.tenants.values():
        if tenant.retrieves_labels():
            tenant.retrieval_due = org.activation_done_at + config.label_retrieval_seconds
    return org.config_status(now)


def settle(cloud, store, org, now):
    """Finish every label retrieval whose time has come (lazily, on read)."""
    for tenant in org.tenants.values():
        if tenant.retrieval_due is None or now < tenant.retrieval_due:
            continue
        finished_at = int(tenant.retrieval_due)
        tenant.retrieval_due = None
        # An account switched off since the activation is not scanned.
        entra_tenant = store.tenant(tenant.enterprise_tenant_id)
        if tenant.retrieves_labels() and entra_tenant is not None:
            copy_labels(cloud, tenant, entra_tenant, finished_at)


def copy_labels(cloud, tenant, entra_tenant, finished_at):
    """What a label scan leaves: ZIA's copy of every label; ones gone from Purview marked deleted."""
    current = labels.ordered(entra_tenant)
    for rank, label in enumerate(current):
        tag = tenant.tags.get(label["id"])
        if tag is None:
            tag = tenant.tags[label["id"]] = {"tagId": cloud.next_id()}
        # Only the documented fields: tagId, tagName, tagUUID, tenantId (added when served), deleted.
        tag.update(tagName=label["name"], tagUUID=label["id"], deleted=False)
        tenant.tag_rank[label["id"]] = rank
    present = {label["id"] for label in current}
    for label_id, tag in tenant.tags.items():
        if label_id not in present:
            tag["deleted"] = True
    previous = (tenant.tags_scan or {}).get("tag_latest_success_scan_time", finished_at)
    tenant.tags_scan = {"tag_prev_scan_time": previous, "tag_latest_success_scan_time": finished_at}
