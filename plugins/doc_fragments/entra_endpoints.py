# -*- coding: utf-8 -*-
# Copyright (c) mipconnect.zia contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    # Where the Microsoft services are: national clouds and explicit overrides.
    DOCUMENTATION = r"""
options:
  cloud:
    description:
      - The Microsoft cloud the tenant lives in; selects login, Graph, ARM and Power Platform endpoints.
      - V(public) is the global cloud (GCC moderate tenants sign in there too). V(usgov) is US Government L4
        (GCC High; Graph C(graph.microsoft.us), Power Platform C(high.api.bap.microsoft.us)). V(usgov_dod) is
        US Government L5 (DoD; Graph C(dod-graph.microsoft.us), Power Platform C(api.bap.appsplatform.us)).
        V(china) is operated by 21Vianet.
      - The cloud also decides which Graph sensitivity label APIs exist. The beta
        C(/security/informationProtection/sensitivityLabels) exists only in V(public); the v1.0
        C(/security/dataSecurityAndGovernance/sensitivityLabels) in V(public), V(usgov) and V(usgov_dod); V(china)
        has neither. Label reads and credential checks use only what the cloud has, and say what could not be
        checked.
      - Falls back to the E(AZURE_CLOUD) environment variable.
    type: str
    choices: [china, public, usgov, usgov_dod]
    default: public
  authority_url:
    description:
      - Override of the login host (for example C(https://login.microsoftonline.com)), for proxies and test emulators.
      - Falls back to the E(AZURE_AUTHORITY_HOST) environment variable.
    type: str
  graph_url:
    description:
      - Override of the Microsoft Graph base URL, without the version segment.
      - Falls back to the E(MIPCONNECT_GRAPH_URL) environment variable.
    type: str
  arm_url:
    description:
      - Override of the Azure Resource Manager base URL.
      - Falls back to the E(MIPCONNECT_ARM_URL) environment variable.
    type: str
  power_platform_url:
    description:
      - Override of the Power Platform (BAP) API base URL.
      - Falls back to the E(MIPCONNECT_POWER_PLATFORM_URL) environment variable.
    type: str
"""
