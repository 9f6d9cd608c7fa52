#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) mipconnect.zia contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: mip_labels_info
short_description: Read MIP sensitivity labels from Microsoft and from ZIA, export them, and report drift
version_added: 0.1.0
description:
  - Reads a tenant's sensitivity labels straight from Microsoft Graph, as ZIA's view of an MIP account holds them,
    or both with the difference between the two (labels ZIA has not retrieved yet, labels Microsoft deleted,
    renamed labels).
  - Writes them, like the Admin Portal's download, to a CSV file and/or a JSON file; an unchanged file is left
    alone and reported C(changed=false).
  - Labels are streamed page by page; with O(return_labels=false) memory does not grow with the number of labels.
author:
  - mipconnect.zia contributors (@mipconnect)
extends_documentation_fragment:
  - mipconnect.zia.entra_auth
  - mipconnect.zia.entra_endpoints
  - mipconnect.zia.zia_auth
  - mipconnect.zia.connection
attributes:
  check_mode:
    support: full
    description: Reads everything and reports whether the files would change, without writing them.
  diff_mode:
    support: none
    description: Files are compared by content; no diff is shown.
options:
  source:
    description:
      - V(graph) reads Microsoft Graph with the Entra credentials (the connector's, or any app with a label
        permission). V(zia) reads the labels ZIA retrieved for O(account_name). V(both) reads both and reports drift.
    type: str
    choices: [both, graph, zia]
    default: graph
  account_name:
    description:
      - Account Name of the ZIA MIP account, for O(source=zia) and O(source=both); compared as ZIA compares names
        (without regard to case or to whitespace around the name and runs of it inside).
    type: str
  account_id:
    description:
      - ZIA's id of that account (RV(mipconnect.zia.mip_account#module:account.id)), when the play already has it.
        The module then reads the account's labels directly instead of listing every MIP account to find it by
        O(account_name), which still names the account in the files and messages.
    type: int
  endpoint:
    description:
      - Graph endpoint. V(beta) is C(/security/informationProtection/sensitivityLabels), which
        C(InformationProtectionPolicy.Read.All) (Zscaler's permission) opens. V(v1.0) is
        C(/security/dataSecurityAndGovernance/sensitivityLabels), which needs C(SensitivityLabels.Read.All).
      - V(auto) picks the one the token's permissions open (beta first); when that one answers 403 or 404 before
        giving any label, it tries the other. RV(endpoint) tells which answered, RV(endpoints_tried) what each
        endpoint tried answered. V(beta) and V(v1.0) never fall back.
    type: str
    choices: [auto, beta, v1.0]
    default: auto
  user_id:
    description: Read the labels available to this user (object id or UPN) instead of the whole tenant.
    type: str
  active_only:
    description:
      - Only active labels.
      - Graph v1.0 does not say whether a label is active (its C(sensitivityLabel) has no C(isActive)). With
        O(endpoint=v1.0), or V(auto) when v1.0 answered, labels are therefore kept, since the filter cannot tell;
        RV(filters_not_evaluated) counts them and a warning says so. Use the beta endpoint
        (C(InformationProtectionPolicy.Read.All)) to filter on it.
    type: bool
    default: false
  appliable_to:
    description:
      - Only labels that can be applied (not a parent of sub-labels, which Purview does not let anyone apply)
        and whose content formats include all of these.
      - Graph v1.0 and ZIA do not report content formats, so their labels are kept, counted in
        RV(filters_not_evaluated), with a warning, as for O(active_only).
    type: list
    elements: str
    choices: [email, file, meeting, schematizedData, site, team, unifiedGroup]
  name_pattern:
    description: Only labels whose name matches this regular expression (Python syntax, searched anywhere in the name).
    type: str
  parent:
    description: Only the sub-labels of this parent label (its name or id).
    type: str
  csv_path:
    description:
      - Write the labels to this CSV file (UTF-8, header row, mode 0640), with the columns of the portal's download
        plus ids. Written atomically, only when the content changes; an existing file with the same content but
        another mode gets mode 0640 (and C(changed=true)).
      - The C(Account Name) column holds O(account_name) when given; otherwise, with O(source=graph), the Entra
        tenant id the labels were read from, since no ZIA account is involved.
    type: path
  json_path:
    description: Write the labels to this JSON file (a list of label records), like O(csv_path).
    type: path
  return_labels:
    description: Return the labels in RV(labels). Turn off for very large tenants when only the files matter.
    type: bool
    default: true
  return_tree:
    description:
      - Also return the labels nested by parent in RV(tree). Filters apply first; a sub-label whose parent was
        filtered out is a root of the tree. Keeps every label in memory, like O(return_labels).
    type: bool
    default: false
  page_size:
    description: Labels per Graph page (1 to 999).
    type: int
    default: 100
seealso:
  - module: mipconnect.zia.mip_account
"""

EXAMPLES = r"""
- name: Export a tenant's labels to CSV with the connector's credentials
  mipconnect.zia.mip_labels_info:
    tenant_id: "{{ entra_tenant_id }}"
    auth_client_id: "{{ connector.client_id }}"
    auth_client_secret: "{{ connector_secret }}"
    csv_path: /var/lib/zscaler/contoso-labels.csv

- name: What ZIA has not picked up yet
  mipconnect.zia.mip_labels_info:
    source: both
    account_name: Contoso MIP
    return_labels: false
  register: label_drift

- name: Active labels usable on files, under "Confidential"
  mipconnect.zia.mip_labels_info:
    active_only: true
    appliable_to: [file]
    parent: Confidential
"""

RETURN = r"""
labels:
  description: The labels, sub-labels flattened after their parent.
  returned: when return_labels is true
  type: list
  elements: dict
  contains:
    id:
      description: Label id (GUID).
      type: str
    name:
      description: Label name.
      type: str
    display_name:
      description: Display name.
      type: str
    priority:
      description: Priority (sensitivity); higher is more sensitive.
      type: int
    parent_id:
      description: Id of the parent label, for sub-labels.
      type: str
    parent_name:
      description: Name of the parent label, when known.
      type: str
    active:
      description: Whether the label is active; null when the source does not report it (Graph v1.0).
      type: bool
    appliable:
      description: Whether the label can be applied to content (false for labels that have sub-labels); null
        when the source does not report it (Graph v1.0, ZIA).
      type: bool
    color:
      description: Label color; null when the source does not report it (Graph v1.0, ZIA).
      type: str
    content_formats:
      description: Content the label applies to (file, email, ...); null when the source does not report it
        (Graph v1.0, ZIA).
      type: list
      elements: str
    has_protection:
      description: Whether the label applies protection (encryption).
      type: bool
    source:
      description: C(graph_beta), C(graph_v1.0) or C(zia).
      type: str
tree:
  description:
    - The labels nested by parent, in the order they came, each label record (as in RV(labels)) with a
      C(children) list of its sub-labels.
  returned: when return_tree is true
  type: list
  elements: dict
  sample: [{"name": "Confidential", "id": "6f1c...", "children": [{"name": "All Employees", "children": []}]}]
count:
  description: Number of labels after filtering.
  returned: always
  type: int
endpoint:
  description: The Graph endpoint that answered, C(beta) or C(v1.0).
  returned: when Graph was read
  type: str
endpoints_tried:
  description:
    - The Graph endpoints tried, in order, with the HTTP status each answered (C(code) is Graph's error code);
      more than one when O(endpoint=auto) fell back.
  returned: when Graph was read
  type: list
  elements: dict
  sample: [{"endpoint": "beta", "status": 403, "code": "Forbidden"}, {"endpoint": "v1.0", "status": 200, "code": null}]
drift:
  description: With O(source=both), how ZIA's view differs from Microsoft's.
  returned: when source is both
  type: dict
  contains:
    not_in_zia:
      description: Labels in Microsoft that ZIA has not retrieved.
      type: list
      elements: dict
    deleted_in_microsoft:
      description: Labels ZIA still holds that Microsoft no longer has.
      type: list
      elements: dict
    renamed:
      description: Labels whose name differs between Microsoft and ZIA.
      type: list
      elements: dict
filters_not_evaluated:
  description:
    - For O(active_only) and O(appliable_to), how many returned labels the filter could not evaluate because the
      source does not report the field (Graph v1.0, ZIA); those labels were kept. Empty when every filter applied.
  returned: always
  type: dict
  sample: {"active_only": 8}
files:
  description: Each file written (or that would be, in check mode), with whether it changed.
  returned: always
  type: list
  elements: dict
"""

import re

from ansible_collections.mipconnect.zia.plugins.module_utils import consent
from ansible_collections.mipconnect.zia.plugins.module_utils import labels as label_utils
from ansible_collections.mipconnect.zia.plugins.module_utils import names
from ansible_collections.mipconnect.zia.plugins.module_utils.errors import InputError, MipConnectError
from ansible_collections.mipconnect.zia.plugins.module_utils.export import LabelExport, check_path
from ansible_collections.mipconnect.zia.plugins.module_utils.module_base import (
    ENTRA_AUTH_ARGUMENT_SPEC,
    ENTRA_ENDPOINTS_ARGUMENT_SPEC,
    ZIA_AUTH_ARGUMENT_SPEC,
    MipConnectModule,
    require_range,
    require_text,
)

ARGUMENT_SPEC = dict(
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
    csv_path=dict(type="path"),
    json_path=dict(type="path"),
    return_labels=dict(type="bool", default=True),
    return_tree=dict(type="bool", default=False),
    page_size=dict(type="int", default=100),
)


class LabelRun:
    """One run of the module: sources in, filtered records out to files and result."""

    def __init__(self, module):
        self.module = module
        p = module.params
        self.p = p
        self.name_regex = self._compile(p["name_pattern"])
        self.export = None
        self.labels = [] if p["return_labels"] else None
        self.tree_records = [] if p["return_tree"] else None
        self.count = 0
        self.source = None
        self.unknown = {}
        self.account = p["account_name"]

    @staticmethod
    def _compile(pattern):
        if pattern is None:
            return None
        try:
            return re.compile(pattern)
        except re.error as exc:
            raise InputError("name_pattern", "is not a valid regular expression (%s)." % exc)

    def check_input(self):
        p = self.p
        if p["source"] in ("zia", "both") and not p["account_name"]:
            raise InputError("account_name", "is required with source: %s." % p["source"])
        require_text("account_name", p["account_name"], 255)
        require_text("user_id", p["user_id"], 255)
        require_text("parent", p["parent"], 255)
        require_range("page_size", p["page_size"], 1, 999)
        check_path("csv_path", p["csv_path"])
        check_path("json_path", p["json_path"])

    def _keep(self, record):
        p = self.p
        return label_utils.keep(record, p["active_only"], p["appliable_to"], self.name_regex, p["parent"],
                                unknown=self.unknown)

    def _emit(self, record):
        record["account"] = self.account
        self.export.add(record)
        self.count += 1
        if self.labels is not None or self.tree_records is not None:
            record.pop("account")
        if self.labels is not None:
            self.labels.append(record)
        if self.tree_records is not None:
            self.tree_records.append(record)

    def graph_records(self):
        endpoints = self.module.entra_endpoints()
        tokens = self.module.entra_token_provider(endpoints)
        if self.account is None:
            self.account = tokens.tenant_id
        self.source = label_utils.GraphLabelSource(
            self.module.http(), endpoints.graph_url, lambda: tokens.token(endpoints.graph_resource),
            endpoint=self.p["endpoint"], user_id=self.p["user_id"], page_size=self.p["page_size"],
            consent_url=consent.admin_consent_url(endpoints.authority_host, tokens.client_id))
        return self.source.labels()

    def zia_records(self):
        zia = self.module.zia_client()
        if self.p["account_id"] is not None:
            return self._zia_records_by_id(zia, self.p["account_id"])
        matches = names.named(zia.mip_accounts(), self.p["account_name"])
        if len(matches) > 1:
            raise MipConnectError("Two MIP accounts are named '%s' in ZIA: %s." % (
                self.p["account_name"], " and ".join("'%s' (id %s)" % (m.get("tenantName"), m.get("tenantId"))
                                                     for m in matches[:2])),
                hint="Give account_id, or rename one of them in the ZIA Admin Portal.")
        if not matches:
            raise MipConnectError("No MIP account is named '%s' in ZIA." % self.p["account_name"],
                                  hint="List them with mipconnect.zia.mip_account_info.")
        return label_utils.zia_labels(zia, matches[0]["tenantId"])

    def _zia_records_by_id(self, zia, account_id):
        try:
            yield from label_utils.zia_labels(zia, account_id)
        except MipConnectError as err:
            if getattr(err, "status", None) == 404:
                raise MipConnectError("ZIA has no MIP account with id %s (account_id)." % account_id,
                                      hint="Leave account_id out to find the account by account_name.")
            raise

    def run(self):
        p = self.p
        self.check_input()
        self.export = LabelExport(p["csv_path"], p["json_path"], self.module.check_mode)
        result = {}
        try:
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
                    held = [{"id": r["id"], "name": r["name"], "deleted": r["deleted"]} for r in self.zia_records()]
                    result["drift"] = label_utils.drift(seen, held)
            files = self.export.finish()
        except Exception:
            self.export.abort()
            raise
        result.update({
            "changed": any(files.values()),
            "count": self.count,
            "filters_not_evaluated": dict(self.unknown),
            "files": [{"path": path, "changed": changed} for path, changed in sorted(files.items())],
        })
        if self.labels is not None:
            result["labels"] = self.labels
        if self.tree_records is not None:
            result["tree"] = label_utils.tree(self.tree_records)
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


def main():
    module = MipConnectModule(
        ARGUMENT_SPEC, shared_specs=(ENTRA_AUTH_ARGUMENT_SPEC, ENTRA_ENDPOINTS_ARGUMENT_SPEC, ZIA_AUTH_ARGUMENT_SPEC))
    module.run(lambda: LabelRun(module).run())


if __name__ == "__main__":
    main()
