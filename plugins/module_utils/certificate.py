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
import json
import os
import tempfile
import uuid

from ansible_collections.mipconnect.zia.plugins.module_utils.errors import InputError

DEFAULT_VALIDITY_DAYS = 1461
KEY_SIZE = 2048


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
    """The certificate stored in a private-key JSON file, or None when there is no file."""
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    if not os.path.exists(path):
        return None
    try:
        with open(path, "r") as handle:
            data = json.load(handle)
        key = serialization.load_pem_private_key(data["private_key"].encode("ascii"), password=None)
        cert = x509.load_pem_x509_certificate(data["public_cert"].encode("ascii"))
    except (IOError, OSError) as exc:
        raise InputError("private_key_json_path", "cannot read %s (%s)." % (path, exc.strerror))
    except (ValueError, KeyError, TypeError, AttributeError):
        raise InputError("private_key_json_path",
                         "%s exists but is not a private key JSON file with 'private_key' and 'public_cert' PEMs. "
                         "Move it away or point the option at another path." % path)
    return ConnectorCertificate(key, cert)


def write_json_file(path, cert):
    """Write the JSON file atomically, readable by its owner only (0600)."""
    directory = os.path.dirname(os.path.abspath(path))
    content = json.dumps({"private_key": cert.private_key_pem(), "public_cert": cert.public_cert_pem()})
    fd, tmp = tempfile.mkstemp(prefix=".mipconnect-", dir=directory)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(content)
        os.rename(tmp, path)
    except Exception:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _not_after(cert):
    value = getattr(cert, "not_valid_after_utc", None)
    return value if value is not None else cert.not_valid_after.replace(tzinfo=datetime.timezone.utc)


def _not_before(cert):
    value = getattr(cert, "not_valid_before_utc", None)
    return value if value is not None else cert.not_valid_before.replace(tzinfo=datetime.timezone.utc)


def _iso(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
