# -*- coding: utf-8 -*-
# Copyright (c) mipconnect.zia contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    # ZIA API credentials: OneAPI (ZIdentity) or the legacy API key session. One set only.
    DOCUMENTATION = r"""
options:
  zscaler_client_id:
    description:
      - OneAPI client ID (ZIdentity API client). Selects OneAPI authentication.
      - Falls back to the E(ZSCALER_CLIENT_ID) environment variable.
      - Give either the OneAPI options or the legacy O(zia_username) options, not both.
    type: str
  zscaler_client_secret:
    description:
      - OneAPI client secret. Falls back to E(ZSCALER_CLIENT_SECRET).
    type: str
  zscaler_private_key:
    description:
      - Path to the PEM private key of a OneAPI client that signs in with a JWT instead of a secret.
      - Falls back to E(ZSCALER_PRIVATE_KEY).
    type: path
  zscaler_vanity_domain:
    description:
      - Your ZIdentity vanity domain, the part before C(.zslogin.net). Falls back to E(ZSCALER_VANITY_DOMAIN).
    type: str
  zscaler_cloud:
    description:
      - OneAPI cloud, C(production) (default) or C(beta). Falls back to E(ZSCALER_CLOUD).
    type: str
  zscaler_token_url:
    description:
      - Override of the OneAPI token URL, for proxies and test emulators.
      - Falls back to E(MIPCONNECT_ZSCALER_TOKEN_URL).
    type: str
  zia_username:
    description:
      - Legacy API admin user name. Selects legacy authentication. Falls back to E(ZIA_USERNAME).
    type: str
  zia_password:
    description:
      - Legacy API admin password. Falls back to E(ZIA_PASSWORD).
    type: str
  zia_api_key:
    description:
      - Legacy API key (Administration > API Key Management). Falls back to E(ZIA_API_KEY).
    type: str
  zia_cloud:
    description:
      - Legacy ZIA cloud name as in the admin portal URL, for example C(zscalerthree). Falls back to E(ZIA_CLOUD).
    type: str
  zia_api_url:
    description:
      - Override of the ZIA API base URL (ending in C(/api/v1)), for proxies and test emulators.
      - Falls back to E(MIPCONNECT_ZIA_API_URL).
    type: str
"""
