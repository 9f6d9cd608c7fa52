"""One emulator per test session (per xdist worker); a fresh tenant per test."""

import pytest
import requests

from emulator import Emulator

GRAPH = "https://graph.microsoft.com/.default"


@pytest.fixture(scope="session")
def emulator():
    with Emulator() as emu:
        yield emu


# The emulated ZIA cloud's config as it starts.
ZIA_DEFAULTS = {
    "rate_limits": True,
    "retry_after_form": "header_seconds_suffix",
    "edit_lock_writes": 0,
    "maintenance": False,
    "assumed_write_contract": False,
    "assumed_status_values": False,
    "activation_seconds": 1.0,
    "label_retrieval_seconds": 1.0,
    "session_timeout": 300.0,
}


@pytest.fixture(autouse=True)
def settled_emulator(emulator):
    """Each test starts and leaves with default config and no faults; tenants and orgs may pile up."""
    yield
    emulator.configure(replication_delay=0.0, page_size=100)
    emulator.configure_zia(**ZIA_DEFAULTS)
    emulator.clear_faults()


@pytest.fixture
def tenant(emulator):
    return emulator.create_tenant()


class Api:
    """requests against the emulator: the CA passed per request (REQUESTS_CA_BUNDLE may be set)."""

    def __init__(self, emulator):
        self.emulator = emulator
        self.session = requests.Session()

    def call(self, method, path, token=None, **kwargs):
        headers = dict(kwargs.pop("headers", {}))
        if token:
            headers["Authorization"] = f"Bearer {token}"
        url = path if path.startswith("https://") else self.emulator.url + path
        return self.session.request(
            method, url, headers=headers, verify=self.emulator.ca_file, timeout=10, **kwargs
        )

    def token_response(self, tenant_id, client_id, secret, scope=GRAPH):
        return self.call(
            "POST",
            f"/entra/{tenant_id}/oauth2/v2.0/token",
            data={
                "grant_type": "client_credentials",
                "client_id": client_id,
                "client_secret": secret,
                "scope": scope,
            },
        )

    def token(self, tenant_id, client_id, secret, scope=GRAPH):
        response = self.token_response(tenant_id, client_id, secret, scope)
        assert response.status_code == 200, response.text
        return response.json()["access_token"]

    def admin_token(self, tenant, scope=GRAPH):
        return self.token(
            tenant["tenant_id"], tenant["admin_client_id"], tenant["admin_client_secret"], scope
        )

    def graph(self, method, path, token, **kwargs):
        return self.call(method, f"/graph/v1.0{path}", token, **kwargs)


@pytest.fixture
def api(emulator):
    return Api(emulator)


@pytest.fixture
def admin_graph(api, tenant):
    """(api, Graph token of the tenant's admin client)."""
    return api, api.admin_token(tenant)


class Certificate:
    """A self-signed RSA certificate as the SharePoint connector step makes one."""

    def __init__(self, common_name="mipconnect test"):
        import base64
        import datetime

        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import rsa
        from cryptography.x509.oid import NameOID

        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
        now = datetime.datetime.now(datetime.timezone.utc)
        self.certificate = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(self.key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1461))
            .sign(self.key, hashes.SHA256())
        )
        der = self.certificate.public_bytes(serialization.Encoding.DER)
        self.key_pem = self.key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode()
        self.cert_pem = self.certificate.public_bytes(serialization.Encoding.PEM).decode()
        self.key_b64 = base64.b64encode(der).decode()
        self.sha1_hex = self.certificate.fingerprint(hashes.SHA1()).hex()

    def key_credential(self, **extra):
        return {"type": "AsymmetricX509Cert", "usage": "Verify", "key": self.key_b64, **extra}


@pytest.fixture(scope="session")
def certificate():
    return Certificate()


@pytest.fixture(scope="session")
def other_certificate():
    return Certificate("not registered")
