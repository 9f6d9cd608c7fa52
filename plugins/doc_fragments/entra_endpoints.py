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
      - Falls back to the E(AZURE_CLOUD) environment variable.
    type: str
    choices: [china, public, usgov]
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
