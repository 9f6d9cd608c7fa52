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
five minutes before the token does; a file left without a live entry is
removed when read. ``drop`` forgets a token a service refused.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import json
import os
import stat
import tempfile
import time

EXPIRY_MARGIN = 300
_SALT = b"mipconnect.zia token cache v1"


def _directory():
    """The cache directory, or None when there is no safe one (any OS error)."""
    try:
        path = os.path.join(tempfile.gettempdir(), "mipconnect-tokens-%d" % os.getuid())
        # exist_ok: forks running tasks in parallel create it at the same time.
        # A file planted under that name makes makedirs fail: no cache then.
        os.makedirs(path, 0o700, exist_ok=True)
        info = os.lstat(path)
    except (IOError, OSError):
        return None
    # Refuse a directory another user made or others can enter, or a link.
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o077:
        return None
    return path


class TokenCache:
    """Encrypted token store for one (authority, tenant, client, credential).

    Every failure of the file system (full disk, read-only or vanished temp
    dir, planted files, races with other forks) degrades to "no cache": the
    caller then asks for a new token, and nothing is ever written in clear.
    """

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

    def _usable(self, entry):
        return (isinstance(entry, dict) and isinstance(entry.get("access_token"), str)
                and isinstance(entry.get("expires_on"), (int, float))
                and entry["expires_on"] - EXPIRY_MARGIN > self._clock())

    def _read(self, path):
        from cryptography.exceptions import InvalidTag
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        try:
            with open(path, "rb") as handle:
                blob = handle.read()
            plain = AESGCM(self._key).decrypt(blob[:12], blob[12:], self._aad)
            entries = json.loads(plain.decode("utf-8"))
        except (IOError, OSError, ValueError, InvalidTag):
            return None  # missing, unreadable or not ours: behave as empty
        return entries if isinstance(entries, dict) else None

    def _load(self, path):
        """The usable entries; a file left with none (all expired) is removed."""
        entries = self._read(path) if path else None
        if entries is None:
            return {}
        usable = dict((k, v) for k, v in entries.items() if self._usable(v))
        if not usable:
            self._remove(path)
        return usable

    @staticmethod
    def _remove(path):
        try:
            os.unlink(path)
        except (IOError, OSError):
            pass

    def get(self, resource):
        entry = self._load(self._path()).get(resource)
        return entry["access_token"] if entry else None

    def put(self, resource, access_token, expires_in):
        path = self._path()
        if path:
            entries = self._load(path)
            entries[resource] = {"access_token": access_token, "expires_on": self._clock() + int(expires_in)}
            self._write(path, entries)

    def drop(self, resource):
        """Forget the token for ``resource`` (e.g. refused with 401: revoked)."""
        path = self._path()
        if not path:
            return
        entries = self._load(path)
        if entries.pop(resource, None) is None:
            return
        if entries:
            self._write(path, entries)
        else:
            self._remove(path)

    def _write(self, path, entries):
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        nonce = os.urandom(12)
        blob = nonce + AESGCM(self._key).encrypt(nonce, json.dumps(entries).encode("utf-8"), self._aad)
        try:
            # mkstemp creates the file 0600; it is renamed into place only when complete.
            fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".tmp-")
        except (IOError, OSError):
            return
        try:
            with os.fdopen(fd, "wb") as handle:
                os.fchmod(handle.fileno(), 0o600)
                handle.write(blob)
            os.rename(tmp, path)
        except (IOError, OSError):
            self._remove(tmp)
