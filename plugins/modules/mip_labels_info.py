#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) mipconnect.zia contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: mip_labels_info
short_description: Read MIP sensitivity labels from Microsoft and from ZIA and report drift
version_added: 1.0.0
description:
  - Reads a tenant's sensitivity labels straight from Microsoft Graph, or the labels ZIA's policy rules use for an
    MIP account (ZIA's C(/casbTenant/{id}/tags/policy), the only label list ZIA's API documents; it is not every
    label ZIA retrieved), or both with the difference between the two (labels no ZIA policy rule uses, labels
    Microsoft deleted, renamed labels).
  - A ZIA tag marked C(deleted) (its label is gone from Purview) is not a label any more. It is never returned or
    counted; with O(source=both) it shows in RV(drift) only.
  - Changes nothing and writes no file. To save the labels as CSV or JSON, like the Admin Portal's download, use
    M(mipconnect.zia.mip_labels_export), which takes the same options.
  - Labels are streamed page by page; with O(return_labels=false) memory does not grow with the number of labels.
author:
  - mipconnect.zia contributors (@mipconnect)
extends_documentation_fragment:
  - mipconnect.zia.attributes
  - mipconnect.zia.attributes.info_module
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.actiongroups
  - mipconnect.zia.label_selection
  - mipconnect.zia.entra_auth
  - mipconnect.zia.entra_endpoints
  - mipconnect.zia.zia_auth
  - mipconnect.zia.connection
options:
  return_labels:
    description: Return the labels in RV(labels). Turn off for very large tenants when only the count or drift matters.
    type: bool
    default: true
  return_tree:
    description:
      - Also return the labels nested by parent in RV(tree). Filters apply first; a sub-label whose parent was
        filtered out is a root of the tree. Keeps every label in memory, like O(return_labels).
    type: bool
    default: false
seealso:
  - module: mipconnect.zia.mip_labels_export
  - module: mipconnect.zia.mip_account
"""

EXAMPLES = r"""
- name: Read a tenant's labels with the connector's credentials
  mipconnect.zia.mip_labels_info:
    tenant_id: "{{ entra_tenant_id }}"
    auth_client_id: "{{ connector.client_id }}"
    auth_client_secret: "{{ connector_secret }}"
  register: tenant_labels

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
  sample:
    - id: 6f1c0a3e-0a5e-4b1c-9f51-2c7d3b0f9a11
      name: Confidential
      display_name: Confidential
      priority: 2
      parent_id: null
      parent_name: null
      active: true
      appliable: false
      color: '#FF8C00'
      content_formats:
      - file
      - email
      has_protection: false
      source: graph_beta
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
  sample: 8
endpoint:
  description: The Graph endpoint that answered, C(beta) or C(v1.0).
  returned: when Graph was read
  type: str
  sample: "beta"
endpoints_tried:
  description:
    - The Graph endpoints tried, in order, with the HTTP status each answered (C(code) is Graph's error code);
      more than one when O(endpoint=auto) fell back.
  returned: when Graph was read
  type: list
  elements: dict
  sample: [{"endpoint": "beta", "status": 403, "code": "Forbidden"}, {"endpoint": "v1.0", "status": 200, "code": null}]
drift:
  description: With O(source=both), how the labels ZIA's policy rules use differ from Microsoft's labels.
  returned: when source is both
  type: dict
  sample:
    not_in_zia_policy:
    - id: 6f1c0a3e-0a5e-4b1c-9f51-2c7d3b0f9a11
      name: Secret
    deleted_in_microsoft: []
    marked_deleted_in_zia: []
    renamed: []
  contains:
    not_in_zia_policy:
      description:
        - Labels in Microsoft that no ZIA policy rule uses (or that ZIA has not retrieved yet); ZIA's API does not
          tell the two apart.
      type: list
      elements: dict
    deleted_in_microsoft:
      description: Labels ZIA's policy rules use, not marked deleted, that Microsoft no longer has.
      type: list
      elements: dict
    marked_deleted_in_zia:
      description: Ids of labels ZIA marks deleted (gone from Purview) that Microsoft still has.
      type: list
      elements: str
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
"""

from ansible_collections.mipconnect.zia.plugins.module_utils.labels.label_run import LABEL_SELECTION_ARGUMENT_SPEC, LabelRun
from ansible_collections.mipconnect.zia.plugins.module_utils.labels.labels import tree as label_tree
from ansible_collections.mipconnect.zia.plugins.module_utils.module_base import (
    ENTRA_AUTH_ARGUMENT_SPEC,
    ENTRA_ENDPOINTS_ARGUMENT_SPEC,
    ZIA_AUTH_ARGUMENT_SPEC,
    MipConnectModule,
)

ARGUMENT_SPEC = dict(
    LABEL_SELECTION_ARGUMENT_SPEC,
    return_labels=dict(type="bool", default=True),
    return_tree=dict(type="bool", default=False),
)


def read_labels(module):
    """The labels as a result; nothing is written, so nothing changes."""
    p = module.params
    kept = [] if p["return_labels"] or p["return_tree"] else None

    def collect(record):
        if kept is not None:
            record.pop("account")
            kept.append(record)

    run = LabelRun(module, collect)
    run.check_input()
    result = run.run()
    result["changed"] = False
    if p["return_labels"]:
        result["labels"] = kept
    if p["return_tree"]:
        result["tree"] = label_tree(kept)
    return result


def main():
    module = MipConnectModule(
        ARGUMENT_SPEC, shared_specs=(ENTRA_AUTH_ARGUMENT_SPEC, ENTRA_ENDPOINTS_ARGUMENT_SPEC, ZIA_AUTH_ARGUMENT_SPEC))
    module.run(lambda: read_labels(module))


if __name__ == "__main__":
    main()
