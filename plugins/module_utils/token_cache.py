# -*- coding: utf-8 -*-
# Copyright (c) mipconnect.zia contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Access tokens shared by the tasks of one play, never readable from disk.

Each module run is its own process, so without a shared cache every task
asks Entra for a token again (and MSAL first fetches the OpenID metadata).
Tokens are kept in one file per identity under a 0700 directory of the
controller's temp dir, mode 0600, and encrypted with AES-GCM under a key
derived from the identity's own credential: a process that does not hold the
client secret (or certificate key) can neither read nor forge an entry. The
file name is a hash, so it reveals neither tenant nor client. Entries expire
five minutes before the token does.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import json
import os
import tempfile
import time

EXPIRY_MARGIN = 300
_SALT = b"mipconnect.zia token cache v1"


def _directory():
    path = os.path.join(tempfile.gettempdir(), "mipconnect-tokens-%d" % os.getuid())
    if not os.path.isdir(path):
        os.makedirs(path, 0o700)
    info = os.lstat(path)
    # Refuse a directory another user made or others can enter.
    if info.st_uid != os.getuid() or info.st_mode & 0o077 or os.path.islink(path):
        return None
    return path


class TokenCache:
    """Encrypted token store for one (authority, tenant, client, credential)."""

    def __init__(self, authority, tenant_id, client_id, credential_material, clock=time.time):
        identity = "|".join((authority, tenant_id, client_id)).encode("utf-8")
        self._key = self._derive_key(credential_material, identity)
        self._name = hashlib.sha256(identity + b"|" + self._key).hexdigest()[:32]
        self._aad = identity
        self._clock = clock

    @staticmethod
    def _derive_key(material, identity):
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.kdf.hkdf import HKDF

        return HKDF(algorithm=hashes.SHA256(), length=32, salt=_SALT, info=identity).derive(material)

    def _path(self):
        directory = _directory()
        return os.path.join(directory, self._name) if directory else None

    def _load(self):
        from cryptography.exceptions import InvalidTag
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        path = self._path()
        if not path or not os.path.exists(path):
            return {}
        try:
            with open(path, "rb") as handle:
                blob = handle.read()
            plain = AESGCM(self._key).decrypt(blob[:12], blob[12:], self._aad)
            return json.loads(plain.decode("utf-8"))
        except (IOError, OSError, ValueError, InvalidTag):
            return {}  # unreadable or from another credential: behave as empty

    def get(self, resource):
        entry = self._load().get(resource)
        if entry and entry.get("expires_on", 0) - EXPIRY_MARGIN > self._clock():
            return entry["access_token"]
        return None

    def put(self, resource, access_token, expires_in):
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        path = self._path()
        if not path:
            return
        now = self._clock()
        entries = dict((k, v) for k, v in self._load().items() if v.get("expires_on", 0) > now)
        entries[resource] = {"access_token": access_token, "expires_on": now + int(expires_in)}
        nonce = os.urandom(12)
        blob = nonce + AESGCM(self._key).encrypt(nonce, json.dumps(entries).encode("utf-8"), self._aad)
        fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path))
        try:
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(blob)
            os.rename(tmp, path)
        except (IOError, OSError):
            if os.path.exists(tmp):
                os.unlink(tmp)
