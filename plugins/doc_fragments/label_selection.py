# -*- coding: utf-8 -*-
# Copyright (c) mipconnect.zia contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    # Where labels are read from and which are kept: mip_labels_info and mip_labels_export.
    DOCUMENTATION = r"""
options:
  source:
    description:
      - V(graph) reads Microsoft Graph with the Entra credentials (the connector's, or any app with a label
        permission). V(zia) reads the labels ZIA retrieved for O(account_name). V(both) reads both and reports drift.
    type: str
    choices: [both, graph, zia]
    default: graph
  account_name:
    description: Account Name of the ZIA MIP account, for O(source=zia) and O(source=both).
    type: str
  account_id:
    description:
      - ZIA's id of that account (RV(mipconnect.zia.mip_account#module:account.id)), when the play already has it.
        The module then reads the account's labels directly instead of listing every MIP account to find it by
        O(account_name), which still names the account in the results and messages.
    type: int
  endpoint:
    description:
      - Graph endpoint. V(beta) is C(/security/informationProtection/sensitivityLabels), which
        C(InformationProtectionPolicy.Read.All) (Zscaler's permission) opens. V(v1.0) is
        C(/security/dataSecurityAndGovernance/sensitivityLabels), which needs C(SensitivityLabels.Read.All).
      - V(auto) picks the one the token's permissions open (beta first); when that one answers 403 or 404 before
        giving any label, it tries the other.
      - Only the endpoints that exist in O(cloud) are asked; beta exists only in the global cloud, v1.0 in the
        global and US Government clouds, neither in China (the module then fails and says to use O(source=zia)).
        Asking for an endpoint the cloud does not have fails before any request. RV(endpoint) tells which
        answered, RV(endpoints_tried) what each
        endpoint tried answered. V(beta) and V(v1.0) never fall back.
    type: str
    choices: [auto, beta, v1.0]
    default: auto
  user_id:
    description:
      - Read the labels available to this user (object id or UPN) instead of the whole tenant, from
        C(/users/{id}/security/informationProtection/sensitivityLabels) (beta) or
        C(/users/{id}/dataSecurityAndGovernance/sensitivityLabels) (v1.0).
      - The id is percent-encoded in the path, so a guest's UPN (C(name_contoso.com#EXT#@tenant.onmicrosoft.com))
        works as given.
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
  page_size:
    description: Labels per Graph page (1 to 999).
    type: int
    default: 100
"""
