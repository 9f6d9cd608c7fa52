# -*- coding: utf-8 -*-
# Copyright (c) mipconnect.zia contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""One pass over a tenant's labels for mip_labels_info and mip_labels_export.

The labels are read from Graph, from ZIA or from both, filtered, and handed one
at a time to a sink (a list for the info module, the export files for the
export module), so the export never holds every label in memory. The options
that choose and filter the labels are the same in both modules; they are
documented in doc_fragments/label_selection.py.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.mipconnect.zia.plugins.module_utils.entra import consent
from ansible_collections.mipconnect.zia.plugins.module_utils.labels import labels as label_utils
from ansible_collections.mipconnect.zia.plugins.module_utils import names
from ansible_collections.mipconnect.zia.plugins.module_utils.checks import require_range, require_text
from ansible_collections.mipconnect.zia.plugins.module_utils.errors import InputError, MipConnectError

LABEL_SELECTION_ARGUMENT_SPEC = dict(
    source=dict(type="str", default="graph", choices=["both", "graph", "zia"]),
    account_name=dict(type="str"),
    account_id=dict(type="int"),
    endpoint=dict(type="str", default="auto", choices=["auto", "beta", "v1.0"]),
    user_id=dict(type="str"),
    active_only=dict(type="bool", default=False),
    appliable_to=dict(type="list", elements="str",
                      choices=["email", "file", "meeting", "schematizedData", "site", "team", "unifiedGroup"]),
    name_pattern=dict(type="str"),
    parent=dict(type="str"),
    page_size=dict(type="int", default=100),
)


class LabelRun:
    """Reads, filters and hands each kept label record to ``sink(record)``.

    Each record carries ``account``: the account name, or the Entra tenant id
    for labels read from Graph without an account (no ZIA account involved).
    """

    def __init__(self, module, sink):
        self.module = module
        self.p = module.params
        self.sink = sink
        self.name_regex = self._compile(self.p["name_pattern"])
        self.count = 0
        self.source = None
        self.unknown = {}
        self.account = self.p["account_name"]

    @staticmethod
    def _compile(pattern):
        if pattern is None:
            return None
        try:
            return re.compile(pattern)
        except re.error as exc:
            raise InputError("name_pattern", "is not a valid regular expression (%s)." % exc)

    def check_input(self):
        """Refuse bad selection options before any remote call."""
        p = self.p
        if p["source"] in ("zia", "both") and not p["account_name"]:
            raise InputError("account_name", "is required with source: %s." % p["source"])
        require_text("account_name", p["account_name"], 255)
        require_text("user_id", p["user_id"], 255)
        require_text("parent", p["parent"], 255)
        require_range("page_size", p["page_size"], 1, 999)

    def _keep(self, record):
        p = self.p
        return label_utils.keep(record, p["active_only"], p["appliable_to"], self.name_regex, p["parent"],
                                unknown=self.unknown)

    def _emit(self, record):
        record["account"] = self.account
        self.count += 1
        self.sink(record)

    def graph_records(self):
        clients = self.module.clients
        endpoints = clients.entra_endpoints()
        tokens = clients.entra_tokens()
        if self.account is None:
            self.account = tokens.tenant_id
        self.source = label_utils.GraphLabelSource(
            dict((version, clients.graph(version)) for version in label_utils.ALL_ENDPOINTS), clients.graph_token,
            endpoint=self.p["endpoint"], user_id=self.p["user_id"], page_size=self.p["page_size"],
            available=endpoints.label_apis, cloud_name=endpoints.cloud_name,
            consent_url=consent.admin_consent_url(endpoints.authority_host, tokens.client_id))
        return self.source.labels()

    def zia_records(self, include_deleted=False):
        """The labels ZIA's policy rules use; tags marked deleted only when asked (for drift)."""
        zia = self.module.clients.zia()
        if self.p["account_id"] is not None:
            return self._zia_records_by_id(zia, self.p["account_id"], include_deleted)
        matches = names.named(zia.mip_accounts(), self.p["account_name"])
        if len(matches) > 1:
            raise MipConnectError("Two MIP accounts are named '%s' in ZIA: %s." % (
                self.p["account_name"], " and ".join("'%s' (id %s)" % (m.get("tenantName"), m.get("tenantId"))
                                                     for m in matches[:2])),
                hint="Give account_id, or rename one of them in the ZIA Admin Portal.")
        if not matches:
            raise MipConnectError("No MIP account is named '%s' in ZIA." % self.p["account_name"],
                                  hint="List them with mipconnect.zia.mip_account_info.")
        return label_utils.zia_policy_labels(zia, matches[0]["tenantId"], include_deleted)

    def _zia_records_by_id(self, zia, account_id, include_deleted):
        try:
            yield from label_utils.zia_policy_labels(zia, account_id, include_deleted)
        except MipConnectError as err:
            if getattr(err, "status", None) == 404:
                raise MipConnectError("ZIA has no MIP account with id %s (account_id)." % account_id,
                                      hint="Leave account_id out to find the account by account_name.")
            raise

    def run(self):
        """Stream every kept label to the sink; return count, endpoints, drift, filters and warnings."""
        p = self.p
        result = {}
        if p["source"] == "zia":
            for record in self.zia_records():
                if self._keep(record):
                    self._emit(record)
        else:
            seen = [] if p["source"] == "both" else None
            for record in self.graph_records():
                if seen is not None:
                    seen.append({"id": record["id"], "name": record["name"]})
                if self._keep(record):
                    self._emit(record)
            result["endpoint"] = self.source.endpoint
            result["endpoints_tried"] = self.source.tried
            if seen is not None:
                held = [{"id": r["id"], "name": r["name"], "deleted": r["deleted"]}
                        for r in self.zia_records(include_deleted=True)]
                result["drift"] = label_utils.drift(seen, held)
        result.update(count=self.count, filters_not_evaluated=dict(self.unknown))
        if self.unknown:
            result["warnings"] = [
                "%s could not be evaluated on %d label(s): the %s does not report %s; they were kept."
                % (option, number, self._source_name(result),
                   "whether a label is active" if option == "active_only" else "content formats")
                for option, number in sorted(self.unknown.items())]
        return result

    def _source_name(self, result):
        if self.p["source"] == "zia":
            return "ZIA account"
        return "Graph %s endpoint" % result.get("endpoint")
