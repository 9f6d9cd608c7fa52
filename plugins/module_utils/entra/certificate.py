# -*- coding: utf-8 -*-
# Copyright (c) mipconnect.zia contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The SharePoint connector certificate and its private-key JSON file.

Zscaler's steps use keytool and openssl; we make the same thing with
``cryptography``: an RSA 2048 self-signed certificate valid 1461 days, and a
JSON file ``{"private_key": PEM, "public_cert": PEM}`` that the ZIA Admin
Portal takes. The file holds a private key: it is written atomically with
mode 0600 and never read back into output.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import datetime
import errno
import json
import os
import stat
import tempfile
import time
import uuid

from ansible_collections.mipconnect.zia.plugins.module_utils.errors import InputError

DEFAULT_VALIDITY_DAYS = 1461
KEY_SIZE = 2048
# A temporary key file older than this was left by a run that was killed.
STALE_TEMP_SECONDS = 600


class ConnectorCertificate:
    """A certificate with its private key, and what Graph needs to know of it."""

    def __init__(self, private_key, certificate):
        self.private_key = private_key
        self.certificate = certificate

    @property
    def thumbprint(self):
        """SHA-1 thumbprint in upper-case hex, as the Azure portal shows it."""
        from cryptography.hazmat.primitives import hashes
        return self.certificate.fingerprint(hashes.SHA1()).hex().upper()  # nosec - the portal's thumbprint is SHA-1

    @property
    def not_after(self):
        return _not_after(self.certificate)

    def expires_within(self, days, now=None):
        now = now or datetime.datetime.now(datetime.timezone.utc)
        return self.not_after - now < datetime.timedelta(days=days)

    def private_key_pem(self):
        from cryptography.hazmat.primitives import serialization
        return self.private_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                              serialization.NoEncryption()).decode("ascii")

    def public_cert_pem(self):
        from cryptography.hazmat.primitives import serialization
        return self.certificate.public_bytes(serialization.Encoding.PEM).decode("ascii")

    def key_credential(self, display_name):
        """The keyCredential resource that uploads this certificate to an application."""
        from cryptography.hazmat.primitives import serialization
        der = self.certificate.public_bytes(serialization.Encoding.DER)
        return {
            "keyId": str(uuid.uuid4()),
            "type": "AsymmetricX509Cert",
            "usage": "Verify",
            "displayName": display_name,
            "key": base64.b64encode(der).decode("ascii"),
            # Graph stores the thumbprint's raw bytes, base64-encoded, as the portal does.
            "customKeyIdentifier": base64.b64encode(bytes.fromhex(self.thumbprint)).decode("ascii"),
            "startDateTime": _iso(_not_before(self.certificate)),
            "endDateTime": _iso(self.not_after),
        }


def thumbprint_of(key_credential):
    """The hex thumbprint Graph keeps for an uploaded certificate, or None."""
    identifier = key_credential.get("customKeyIdentifier")
    if not identifier:
        return None
    try:
        return base64.b64decode(identifier + "=" * (-len(identifier) % 4)).hex().upper()
    except (ValueError, TypeError):
        return None


def generate(common_name, validity_days=DEFAULT_VALIDITY_DAYS, now=None):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    now = now or datetime.datetime.now(datetime.timezone.utc)
    key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_SIZE)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name[:64])])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=validity_days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    return ConnectorCertificate(key, cert)


def load_json_file(path):
    """The certificate stored in a private-key JSON file, or None when there is no file.

    The file is opened without following a symbolic link, and the opened file
    (not the path, which could be swapped in between) must be a regular file
    of ours that no other user may read or write: a key someone else could
    have planted or replaced is never uploaded to the application.
    """
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except (IOError, OSError) as exc:
        if exc.errno == errno.ENOENT:
            return None
        if exc.errno == errno.ELOOP:
            raise InputError("private_key_json_path", "%s is a symbolic link; give the path of the file itself." % path)
        raise InputError("private_key_json_path", "cannot read %s (%s)." % (path, exc.strerror))
    with os.fdopen(fd, "r") as handle:
        _check_key_file(path, os.fstat(handle.fileno()))
        try:
            data = json.load(handle)
            key = serialization.load_pem_private_key(data["private_key"].encode("ascii"), password=None)
            cert = x509.load_pem_x509_certificate(data["public_cert"].encode("ascii"))
        except (IOError, OSError) as exc:
            raise InputError("private_key_json_path", "cannot read %s (%s)." % (path, exc.strerror))
        except (ValueError, KeyError, TypeError, AttributeError):
            raise InputError("private_key_json_path",
                             "%s exists but is not a private key JSON file with 'private_key' and 'public_cert' "
                             "PEMs. Move it away or point the option at another path." % path)
    return ConnectorCertificate(key, cert)


def _check_key_file(path, info):
    if not stat.S_ISREG(info.st_mode):
        raise InputError("private_key_json_path", "%s is not a regular file; give the path of the JSON file." % path)
    if info.st_uid != os.geteuid():
        raise InputError("private_key_json_path", "%s belongs to another user (uid %d), so its private key cannot be "
                                                  "trusted. Remove it or point the option at a file of your own."
                         % (path, info.st_uid))
    mode = stat.S_IMODE(info.st_mode)
    if mode & 0o022:
        raise InputError("private_key_json_path", "%s can be written by other users, so its private key cannot be "
                                                  "trusted. Remove it or fix its mode (0600)." % path)
    if mode & 0o077:
        raise InputError("private_key_json_path", "%s holds a private key but other users may read it (mode %04o). "
                                                  "Restrict it with 'chmod 600 %s' (and consider the key exposed), "
                                                  "then re-run." % (path, mode, path))


def write_json_file(path, cert):
    """Write the JSON file atomically, readable by its owner only (0600).

    The content goes to a temporary file beside it first; one a killed run
    left behind (it holds a private key) is removed here, on the next write.
    """
    directory = os.path.dirname(os.path.abspath(path))
    remove_stale_key_files(path)
    content = json.dumps({"private_key": cert.private_key_pem(), "public_cert": cert.public_cert_pem()})
    fd, tmp = tempfile.mkstemp(prefix=_temp_prefix(path), dir=directory)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(content)
        os.rename(tmp, path)
    except Exception:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _temp_prefix(path):
    return ".mipconnect-key-%s." % os.path.basename(path)


def remove_stale_key_files(path, older_than=STALE_TEMP_SECONDS, now=None):
    """Remove the temporary files of ``path`` a killed run left: ours by name and owner, regular, not fresh.

    A fresh one may belong to a run writing the same file right now. Returns the removed paths.
    """
    directory = os.path.dirname(os.path.abspath(path))
    prefix = _temp_prefix(path)
    now = time.time() if now is None else now
    removed = []
    try:
        names = os.listdir(directory)
    except OSError:
        return removed
    for name in names:
        if not name.startswith(prefix):
            continue
        candidate = os.path.join(directory, name)
        try:
            info = os.lstat(candidate)
            if (stat.S_ISREG(info.st_mode) and info.st_uid == os.geteuid()
                    and now - info.st_mtime > older_than):
                os.unlink(candidate)
                removed.append(candidate)
        except OSError:
            continue  # gone meanwhile, or not ours to remove
    return removed


def _not_after(cert):
    value = getattr(cert, "not_valid_after_utc", None)
    return value if value is not None else cert.not_valid_after.replace(tzinfo=datetime.timezone.utc)


def _not_before(cert):
    value = getattr(cert, "not_valid_before_utc", None)
    return value if value is not None else cert.not_valid_before.replace(tzinfo=datetime.timezone.utc)


def _iso(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
