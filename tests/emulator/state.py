"""The emulator's in-memory store: every tenant and the knobs tests turn.

One re-entrant lock guards everything; the server holds it for the whole of a
service handler, so handlers never see half-made changes.
"""

import random
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone


def new_id():
    return str(uuid.uuid4())


def utc_now():
    return datetime.now(timezone.utc)


def iso_time(moment):
    """Graph writes timestamps to the second with a literal Z."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso_time(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@dataclass
class Config:
    replication_delay: float = 0.0
    page_size: int = 100


@dataclass
class Tenant:
    tenant_id: str
    subscription_id: str
    domain: str
    # The national cloud (clouds.py): its hosts and which Graph label APIs exist.
    cloud: str = "public"
    # Graph-visible objects, exactly as Graph shows them, keyed by object id.
    applications: dict = field(default_factory=dict)
    service_principals: dict = field(default_factory=dict)
    app_role_assignments: dict = field(default_factory=dict)
    permission_grants: dict = field(default_factory=dict)
    users: dict = field(default_factory=dict)
    # ARM role assignments keyed by lower-cased resource id.
    role_assignments: dict = field(default_factory=dict)
    # Power Platform management-app registrations keyed by lower-cased appId.
    admin_applications: dict = field(default_factory=dict)
    # Sensitivity labels (labels.py records) keyed by label id.
    labels: dict = field(default_factory=dict)
    # Graph's views of the labels, built once per change: clients page through thousands.
    label_views: dict = field(default_factory=dict)
    # Deleted items (Entra's recycle bin, 30 days): soft-deleted objects by id, restorable.
    deleted_applications: dict = field(default_factory=dict)
    deleted_service_principals: dict = field(default_factory=dict)
    # Material Graph never shows, by keyId: (salt, sha256) of secrets, certificate DER.
    password_hashes: dict = field(default_factory=dict)
    certificates: dict = field(default_factory=dict)
    # Application object id -> ids of the principals that own it.
    owners: dict = field(default_factory=dict)
    # Object or credential id -> monotonic time from which replicas know it.
    replicated_at: dict = field(default_factory=dict)

    def is_replicated(self, object_id):
        return time.monotonic() >= self.replicated_at.get(object_id, 0.0)


class Store:
    """With a replication_seed, each new object waits a random time between a fifth of
    replication_delay and all of it (Entra gives no fixed figure), drawn from a generator seeded
    with it: a failing run can be replayed with the same seed."""

    def __init__(self, replication_delay=0.0, replication_seed=None):
        self.lock = threading.RLock()
        self._initial_delay = replication_delay
        self.replication_seed = replication_seed
        self._delays = random.Random(replication_seed)
        self.config = Config(replication_delay=replication_delay)
        self.tenants = {}

    @property
    def initial_replication_delay(self):
        return self._initial_delay

    def reset(self):
        with self.lock:
            self.config = Config(replication_delay=self._initial_delay)
            self._delays = random.Random(self.replication_seed)
            self.tenants.clear()

    def tenant(self, tenant_id):
        return self.tenants.get((tenant_id or "").lower())

    def add_tenant(self, tenant):
        self.tenants[tenant.tenant_id.lower()] = tenant

    def mark_new(self, tenant, object_id):
        """Record that object_id was just written, so replicas learn of it only after the delay."""
        delay = self.config.replication_delay
        if self.replication_seed is not None:
            delay = self._delays.uniform(delay / 5.0, delay)
        tenant.replicated_at[object_id] = time.monotonic() + delay
