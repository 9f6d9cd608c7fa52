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
      - Private key of a OneAPI client that signs in with a JWT instead of a secret, as Zscaler's tools take it
        ("key string or path"), either the unencrypted PEM key text itself or the path of a file holding it.
        Literal C(\n) in key text (common in environment variables) read as line breaks.
      - Never shown in output or messages, not even a path.
      - Falls back to E(ZSCALER_PRIVATE_KEY).
    type: str
  zscaler_vanity_domain:
    description:
      - Your ZIdentity vanity domain, the part before C(.zslogin.net) (C(.zidentitygov.net) or
        C(.zidentitygov.us) in the government clouds). Falls back to E(ZSCALER_VANITY_DOMAIN).
    type: str
  zscaler_cloud:
    description:
      - OneAPI cloud, in any case, as Zscaler's SDKs name them. Falls back to E(ZSCALER_CLOUD).
      - C(production) (default) signs in at C(<vanity>.zslogin.net) and calls C(api.zsapi.net); C(beta) and C(alpha)
        at C(<vanity>.zslogin<cloud>.net) and C(api.<cloud>.zsapi.net).
      - C(gov) signs in at C(<vanity>.zidentitygov.net) and calls C(api.zscalergov.net); C(govus) at
        C(<vanity>.zidentitygov.us) and C(api.zscalergov.us).
    type: str
  zscaler_token_url:
    description:
      - Override of the OneAPI token URL, for proxies and test emulators.
      - Falls back to E(MIPCONNECT_ZSCALER_TOKEN_URL).
    type: str
  zia_username:
    description:
      - Legacy API admin user name. Selects legacy authentication. Falls back to E(ZIA_USERNAME).
      - ZIA activates what a legacy API session saved when the session ends, and each task ends its session, so
        under legacy sign-in changes cannot wait for one activation later; use OneAPI sign-in for that.
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
      - One of C(zscaler), C(zscalerone), C(zscalertwo), C(zscalerthree), C(zscloud), C(zscalerbeta), C(zscalergov),
        C(zscalerten) (API at C(zsapi.<cloud>.net)) or C(zspreview) (API at C(admin.zspreview.net)).
    type: str
  zia_api_url:
    description:
      - Override of the ZIA API base URL (ending in C(/api/v1)), for proxies and test emulators.
      - Falls back to E(MIPCONNECT_ZIA_API_URL).
    type: str
"""
