# -*- coding: utf-8 -*-
# Copyright (c) mipconnect.zia contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Sensitivity labels: read from Microsoft Graph or ZIA, normalised to one record.

Graph has two endpoints with different shapes:
- beta ``/security/informationProtection/sensitivityLabels``, unlocked by
  ``InformationProtectionPolicy.Read.All`` (what Zscaler asks for): a flat
  list where sub-labels carry ``parent``;
- v1.0 ``/security/dataSecurityAndGovernance/sensitivityLabels`` (per user:
  ``/users/{id}/dataSecurityAndGovernance/sensitivityLabels``, no
  ``/security``), which needs
  ``SensitivityLabel.Read`` or ``SensitivityLabels.Read.All``: top-level
  labels, with their children nested in the navigation property ``sublabels``
  only when asked for with ``$expand=sublabels``. v1.0's
  ``microsoft.graph.sensitivityLabel`` has no color, content formats, active
  or appliable flag: those fields are ``None`` (unknown) in its records.

Not every national cloud has both (``EntraEndpoints.label_apis``): only the
endpoints the chosen cloud has are asked.

Both are read page by page and yielded one record at a time, so memory does
not grow with the number of labels unless the caller keeps them.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.mipconnect.zia.plugins.module_utils.entra.entra_auth import token_claims
from ansible_collections.mipconnect.zia.plugins.module_utils.errors import ApiError, InputError, MipConnectError
from ansible_collections.mipconnect.zia.plugins.module_utils.entra.graph import path_segment

BETA_PATH = "/security/informationProtection/sensitivityLabels"
V1_PATH = "/security/dataSecurityAndGovernance/sensitivityLabels"
# Under /users/{id}: beta keeps its /security segment, v1.0 has none.
USER_PATHS = {"beta": BETA_PATH, "v1.0": "/dataSecurityAndGovernance/sensitivityLabels"}
ALL_ENDPOINTS = ("beta", "v1.0")
BETA_ROLES = ("InformationProtectionPolicy.Read.All",)
V1_ROLES = ("SensitivityLabels.Read.All", "SensitivityLabel.Read")
PAGE_SIZE = 100

FIELDS = ("id", "name", "display_name", "description", "color", "priority", "tooltip", "active", "appliable",
          "content_formats", "has_protection", "parent_id", "parent_name", "source")


def from_beta(item):
    parent = item.get("parent") or {}
    return {
        "id": item.get("id"),
        "name": item.get("name"),
        "display_name": item.get("name"),
        "description": item.get("description"),
        "color": item.get("color"),
        "priority": item.get("sensitivity"),
        "tooltip": item.get("tooltip"),
        "active": item.get("isActive"),
        "appliable": item.get("isAppliable"),
        "content_formats": list(item.get("contentFormats") or []),
        "has_protection": item.get("hasProtection"),
        "parent_id": parent.get("id"),
        "parent_name": parent.get("name"),
        "source": "graph_beta",
    }


def from_v1(item, parent=None):
    """A v1.0 ``microsoft.graph.sensitivityLabel``; what that type does not have is None (unknown)."""
    return {
        "id": item.get("id"),
        "name": item.get("name"),
        "display_name": item.get("displayName") or item.get("name"),
        "description": item.get("description"),
        "color": None,
        "priority": item.get("priority"),
        "tooltip": item.get("toolTip"),
        "active": None,
        "appliable": None,
        "content_formats": None,
        "has_protection": item.get("hasProtection"),
        "parent_id": (parent or {}).get("id"),
        "parent_name": (parent or {}).get("name"),
        "source": "graph_v1.0",
    }


def from_zia(item):
    """A tag of ``/casbTenant/{id}/tags/policy``: documented are tagId, tagName, tagUUID (the
    label's id), tenantId and deleted only, so parent, priority and the rest are unknown."""
    return {
        "id": item.get("tagUUID"),
        "name": item.get("tagName"),
        "display_name": item.get("tagName"),
        "description": None,
        "color": None,
        "priority": None,
        "tooltip": None,
        "active": None,
        "appliable": None,
        "content_formats": None,
        "has_protection": None,
        "parent_id": None,
        "parent_name": None,
        "source": "zia",
        "zia_id": item.get("tagId"),
        "deleted": bool(item.get("deleted")),
    }


def _flatten_v1(item, parent=None):
    yield from_v1(item, parent)
    for child in item.get("sublabels") or []:
        yield from _flatten_v1(child, item)


def choose_endpoint(endpoint, roles, available=ALL_ENDPOINTS):
    """Which Graph endpoint to read: the one asked for, or for ``auto`` the one
    of ``available`` the token's roles unlock (beta first: it is what Zscaler's
    permission opens)."""
    if endpoint != "auto":
        return endpoint
    if "beta" in available and any(role in roles for role in BETA_ROLES):
        return "beta"
    if "v1.0" in available and any(role in roles for role in V1_ROLES):
        return "v1.0"
    return None


def user_labels_path(endpoint, user_id):
    """The per-user list; the id is percent-encoded (a guest's UPN holds '#', which would end the path)."""
    return "/users/%s%s" % (path_segment(user_id), USER_PATHS[endpoint])


class GraphLabelSource:
    """Labels of a tenant straight from Microsoft Graph."""

    def __init__(self, graph_clients, token_source, endpoint="auto", user_id=None, consent_url=None,
                 page_size=PAGE_SIZE, available=ALL_ENDPOINTS, cloud_name="the global cloud"):
        """``graph_clients``: a GraphClient per label API version ("beta", "v1.0"), as
        ``clients.Clients.graph`` builds them; ``token_source()``: their Graph token, whose
        roles choose the endpoint for ``auto``."""
        self._clients = graph_clients
        self._token_source = token_source
        self.requested = endpoint
        self.user_id = user_id
        self.consent_url = consent_url
        self.page_size = page_size
        self.endpoint = None
        self.tried = []
        self.available = tuple(available)
        self.cloud_name = cloud_name

    def _path(self, endpoint):
        if self.user_id:
            return user_labels_path(endpoint, self.user_id)
        return BETA_PATH if endpoint == "beta" else V1_PATH

    def _check_cloud(self):
        """Refuse, before any request, what the chosen cloud does not have."""
        if not self.available:
            raise MipConnectError(
                "Microsoft Graph in %s has no sensitivity label API (neither beta informationProtection nor v1.0 "
                "dataSecurityAndGovernance)." % self.cloud_name,
                hint="Read the labels ZIA retrieved instead (source: zia), or list them in the Microsoft Purview "
                     "portal of that cloud.")
        if self.requested != "auto" and self.requested not in self.available:
            raise InputError("endpoint", "the %s sensitivity label API does not exist in %s; use %s or auto."
                             % (self.requested, self.cloud_name, " or ".join(self.available)))

    def _read(self, endpoint):
        params = {"$top": str(self.page_size)}
        if endpoint == "v1.0":
            # sublabels is a navigation property: v1.0 returns it only when expanded.
            params["$expand"] = "sublabels"
        for item in self._clients[endpoint].list(self._path(endpoint), params=params):
            if endpoint == "beta":
                yield from_beta(item)
            else:
                yield from _flatten_v1(item)

    def labels(self):
        """Yield normalised labels; sets ``self.endpoint`` to the endpoint that answered.

        With ``auto``, an endpoint that answers 403 or 404 before giving any
        label is left for the other one (roles in a token do not prove the
        service agrees); ``self.tried`` lists what each endpoint answered.
        """
        self._check_cloud()
        roles = token_claims(self._token_source()).get("roles") or []
        endpoint = choose_endpoint(self.requested, roles, self.available)
        if endpoint is None:
            raise MipConnectError(
                "The token has none of the permissions that read sensitivity labels in %s (it holds: %s)."
                % (self.cloud_name, ", ".join(sorted(roles)) or "no application permissions"),
                hint="Grant %s on Microsoft Graph with admin consent%s." % (
                    self._permission_advice(), ": %s" % self.consent_url if self.consent_url else ""))
        order = [endpoint]
        if self.requested == "auto":
            order += [other for other in self.available if other != endpoint]
        self.tried = []
        for index, current in enumerate(order):
            started = False
            try:
                for record in self._read(current):
                    started = True
                    yield record
            except ApiError as err:
                if not started and err.status in (403, 404) and index + 1 < len(order):
                    self.tried.append({"endpoint": current, "status": err.status, "code": err.code})
                    continue
                if err.status == 403:
                    needed = BETA_ROLES if current == "beta" else V1_ROLES
                    err.hint = "Reading labels from the %s endpoint needs %s with admin consent%s%s." % (
                        current, " or ".join(needed), (": %s" % self.consent_url) if self.consent_url else "",
                        "".join("; the %s endpoint answered %s first" % (t["endpoint"], t["status"])
                                for t in self.tried))
                raise
            self.tried.append({"endpoint": current, "status": 200, "code": None})
            self.endpoint = current
            return

    def _permission_advice(self):
        if "beta" in self.available:
            return ("the application permission InformationProtectionPolicy.Read.All (beta endpoint, what Zscaler "
                    "uses) or SensitivityLabels.Read.All (v1.0)")
        return ("the application permission SensitivityLabels.Read.All (v1.0: the beta endpoint that "
                "InformationProtectionPolicy.Read.All opens does not exist in %s)" % self.cloud_name)


def zia_policy_labels(zia, account_tenant_id, include_deleted=False):
    """The labels ZIA's policy rules use for one MIP account (``/tags/policy``). A tag marked
    ``deleted`` (its label is gone from Purview) is no live label: left out unless asked for,
    as ZiaClient.policy_tags leaves it out of counts."""
    for item in zia.pages("/casbTenant/%s/tags/policy" % account_tenant_id):
        if include_deleted or not item.get("deleted"):
            yield from_zia(item)


def keep(record, active_only=False, appliable_to=None, name_regex=None, parent=None, unknown=None):
    """The module's filters.

    A label whose field a filter needs is unknown (None) is kept, not dropped:
    the filter cannot tell, and dropping would hide every v1.0 label. Each
    filter that could not be fully evaluated on a kept label is counted in
    ``unknown`` (a dict option -> count), so the caller can say so.
    """
    if name_regex is not None and not name_regex.search(record.get("name") or ""):
        return False
    if parent is not None and parent not in (record.get("parent_id"), record.get("parent_name")):
        return False
    undecided = []
    if active_only:
        if record.get("active") is False:
            return False
        if record.get("active") is None:
            undecided.append("active_only")
    if appliable_to:
        if record.get("appliable") is False:
            return False  # a parent of sub-labels, say: no content format makes it appliable
        formats = record.get("content_formats")
        if formats is not None and not set(appliable_to) <= set(formats):
            return False
        if formats is None:
            undecided.append("appliable_to")
    if unknown is not None:
        for option in undecided:
            unknown[option] = unknown.get(option, 0) + 1
    return True


def drift(graph_records, zia_records):
    """How ZIA's policy tags differ from Microsoft's labels: not used by ZIA's policy (or not
    retrieved yet), gone from Microsoft, renamed. Tags marked deleted are no live labels."""
    graph_names = dict((r["id"], r["name"]) for r in graph_records)
    zia_names = dict((r["id"], r["name"]) for r in zia_records if not r.get("deleted"))
    zia_deleted = set(r["id"] for r in zia_records if r.get("deleted"))
    return {
        "not_in_zia_policy": sorted(({"id": i, "name": n} for i, n in graph_names.items() if i not in zia_names),
                                    key=lambda r: r["name"] or ""),
        "deleted_in_microsoft": sorted(({"id": i, "name": n} for i, n in zia_names.items() if i not in graph_names),
                                       key=lambda r: r["name"] or ""),
        "marked_deleted_in_zia": sorted(zia_deleted & set(graph_names)),
        "renamed": sorted(({"id": i, "microsoft_name": graph_names[i], "zia_name": n}
                           for i, n in zia_names.items() if i in graph_names and graph_names[i] != n),
                          key=lambda r: r["microsoft_name"] or ""),
    }


def tree(records):
    """Nest records by parent_id: [{...label, "children": [...]}]."""
    nodes = dict((r["id"], dict(r, children=[])) for r in records)
    roots = []
    for node in nodes.values():
        parent = nodes.get(node.get("parent_id"))
        (parent["children"] if parent else roots).append(node)
    return roots
