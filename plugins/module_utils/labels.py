# -*- coding: utf-8 -*-
# Copyright (c) mipconnect.zia contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Sensitivity labels: read from Microsoft Graph or ZIA, normalised to one record.

Graph has two endpoints with different shapes:
- beta ``/security/informationProtection/sensitivityLabels``, unlocked by
  ``InformationProtectionPolicy.Read.All`` (what Zscaler asks for): a flat
  list where sub-labels carry ``parent``;
- v1.0 ``/security/dataSecurityAndGovernance/sensitivityLabels``, which needs
  ``SensitivityLabel.Read`` or ``SensitivityLabels.Read.All``: top-level
  labels, with their children nested in the navigation property ``sublabels``
  only when asked for with ``$expand=sublabels``. v1.0's
  ``microsoft.graph.sensitivityLabel`` has no color, content formats, active
  or appliable flag: those fields are ``None`` (unknown) in its records.

Both are read page by page and yielded one record at a time, so memory does
not grow with the number of labels unless the caller keeps them.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.mipconnect.zia.plugins.module_utils.entra_auth import token_claims
from ansible_collections.mipconnect.zia.plugins.module_utils.errors import ApiError, MipConnectError

BETA_PATH = "/security/informationProtection/sensitivityLabels"
V1_PATH = "/security/dataSecurityAndGovernance/sensitivityLabels"
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


def choose_endpoint(endpoint, roles):
    """Which Graph endpoint to read: the one asked for, or for ``auto`` the one
    the token's roles unlock (beta first: it is what Zscaler's permission opens)."""
    if endpoint != "auto":
        return endpoint
    if any(role in roles for role in BETA_ROLES):
        return "beta"
    if any(role in roles for role in V1_ROLES):
        return "v1.0"
    return None


class GraphLabelSource:
    """Labels of a tenant straight from Microsoft Graph."""

    def __init__(self, http, graph_url, token_source, endpoint="auto", user_id=None, consent_url=None,
                 page_size=PAGE_SIZE):
        from ansible_collections.mipconnect.zia.plugins.module_utils.graph import GraphClient

        self._clients = {
            "beta": GraphClient(http, graph_url, token_source, version="beta"),
            "v1.0": GraphClient(http, graph_url, token_source, version="v1.0"),
        }
        self._token_source = token_source
        self.requested = endpoint
        self.user_id = user_id
        self.consent_url = consent_url
        self.page_size = page_size
        self.endpoint = None
        self.tried = []

    def _path(self, endpoint):
        base = BETA_PATH if endpoint == "beta" else V1_PATH
        return "/users/%s%s" % (self.user_id, base) if self.user_id else base

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
        roles = token_claims(self._token_source()).get("roles") or []
        endpoint = choose_endpoint(self.requested, roles)
        if endpoint is None:
            raise MipConnectError(
                "The token has none of the permissions that read sensitivity labels (it holds: %s)."
                % (", ".join(sorted(roles)) or "no application permissions"),
                hint="Grant the application permission InformationProtectionPolicy.Read.All (beta endpoint, what "
                     "Zscaler uses) or SensitivityLabels.Read.All (v1.0) on Microsoft Graph with admin consent%s."
                     % (": %s" % self.consent_url if self.consent_url else ""))
        order = [endpoint]
        if self.requested == "auto":
            order.append("v1.0" if endpoint == "beta" else "beta")
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
