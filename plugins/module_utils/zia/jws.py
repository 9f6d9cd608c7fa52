# -*- coding: utf-8 -*-
# Copyright (c) mipconnect.zia contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A compact JWS signed with RS256, made with ``cryptography`` alone.

The one JWT this collection signs is the OneAPI client assertion
(RFC 7523). Signing it here keeps the runtime dependencies to msal,
requests and cryptography (RFC 7515, section 3.1; RFC 7518, section 3.3).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import json


def sign_rs256(claims, private_key_pem):
    """``header.payload.signature``, base64url without padding, signed RSASSA-PKCS1-v1_5 with SHA-256."""
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding

    if not isinstance(private_key_pem, bytes):
        private_key_pem = private_key_pem.encode("ascii")
    key = serialization.load_pem_private_key(private_key_pem, password=None)
    signing_input = "%s.%s" % (_segment({"alg": "RS256", "typ": "JWT"}), _segment(claims))
    signature = key.sign(signing_input.encode("ascii"), padding.PKCS1v15(), hashes.SHA256())
    return "%s.%s" % (signing_input, _b64url(signature))


def _segment(value):
    return _b64url(json.dumps(value, separators=(",", ":"), sort_keys=True).encode("utf-8"))


def _b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")
