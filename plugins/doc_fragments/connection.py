# -*- coding: utf-8 -*-
# Copyright (c) mipconnect.zia contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    # HTTP behaviour shared by every module.
    DOCUMENTATION = r"""
notes:
  - An option that falls back to an environment variable takes the variable only when it is set and not empty. AWX
    sets every variable a credential type injects, a field left empty as an empty string, which therefore means
    unset, so the option's default applies.
options:
  ca_bundle:
    description:
      - Path to a PEM bundle of CA certificates to trust, for TLS-inspecting proxies.
      - When unset, the system store is used, or E(REQUESTS_CA_BUNDLE) if set.
      - Falls back to the E(MIPCONNECT_CA_BUNDLE) environment variable.
      - Proxies are taken from E(HTTPS_PROXY) and E(NO_PROXY).
    type: path
  validate_certs:
    description:
      - Whether to verify TLS certificates. Only turn this off in a lab.
    type: bool
    default: true
  timeout:
    description:
      - Seconds to wait for each HTTP response (1 to 600).
    type: int
    default: 30
  max_retries:
    description:
      - How many times a throttled (HTTP 429/503/504) or dropped request is retried (0 to 20).
      - The wait is the one the service asks for in C(Retry-After), else an exponential backoff with jitter.
    type: int
    default: 5
  replication_timeout:
    description:
      - Seconds to keep retrying, with capped exponential backoff, while Microsoft Entra
        has not yet replicated an object this run created (0 to 3600).
    type: int
    default: 180
  token_cache:
    description:
      - Share access tokens (Entra and ZIA OneAPI) between the tasks of a play, so each identity asks for a token
        once per token lifetime instead of once per task.
      - Tokens are kept under the controller's temp directory in a 0700 directory, one 0600 file per identity,
        encrypted with a key derived from that identity's own secret or private key; the file name is a hash.
      - Tokens used to validate a connector's credentials are never cached, so consent changes show at once.
    type: bool
    default: true
"""
