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
      - Path to a PEM bundle of CA certificates to trust, for TLS-inspecting proxies. When set, it is the only CA
        store used, whatever the environment says.
      - When unset, the environment variables E(REQUESTS_CA_BUNDLE) or, if that is unset, E(CURL_CA_BUNDLE) replace
        the default CA store (the C(certifi) bundle requests ships with, or the system store where the distribution
        patches it so), as the requests library does. A bundle left in one of them by another tool decides which
        servers are trusted.
      - Falls back to the E(MIPCONNECT_CA_BUNDLE) environment variable.
      - Proxies are taken from E(HTTPS_PROXY) and E(NO_PROXY).
    type: path
  validate_certs:
    description:
      - Whether to verify TLS certificates. Only turn this off in a lab; the module warns when it is off.
      - When off, neither O(ca_bundle) nor E(REQUESTS_CA_BUNDLE) and E(CURL_CA_BUNDLE) are used.
    type: bool
    default: true
  timeout:
    description:
      - Seconds to wait for each HTTP response (1 to 600).
    type: int
    default: 30
  max_retries:
    description:
      - How many times one request is repeated after a failure (0 to 20), that is after HTTP 500, 502, 503 or 504,
        a dropped connection or a timeout, with a capped exponential backoff with jitter between attempts.
      - After HTTP 500, 502 or 504, a dropped connection or a read timeout, a request whose repetition could do a
        second write (a POST that adds a secret or an account, a PATCH) is not repeated; reads, PUT and DELETE
        requests, token requests and ZIA's activation are.
      - Throttled requests (HTTP 429, or 503 with C(Retry-After)) do not count here; O(max_retry_wait) bounds them.
    type: int
    default: 5
  max_retry_wait:
    description:
      - The most seconds one request may spend waiting between its attempts, in all (0 to 3600).
      - Throttled requests are retried after the wait the service asks for in C(Retry-After) (else an exponential
        backoff) for as long as the waits add up to no more than this; a service that asks for a longer wait
        makes the task fail at once with a message saying so, instead of sleeping.
      - Waits for ZIA's edit lock (HTTP 409 C(EDIT_LOCK_NOT_AVAILABLE)), held while another admin or API client
        saves, obey the same bound.
    type: int
    default: 120
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
