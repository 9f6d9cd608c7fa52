"""Access tokens: the emulated Entra signs them, the emulated resource services check them."""

import base64
import hashlib
import time

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

TOKEN_LIFETIME = 3600


class InvalidToken(Exception):
    """Why a bearer token was refused, in words a resource service can pass on."""


def b64url(raw):
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def normalize_audience(audience):
    return str(audience or "").rstrip("/").lower()


def issuer_for(base_url, tenant_id):
    return f"{base_url}/entra/{tenant_id}/v2.0"


class TokenSigner:
    """Holds the emulator's RSA signing key (new per emulator) and issues/verifies RS256 JWTs."""

    def __init__(self):
        self._private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self._public_key = self._private_key.public_key()
        public_der = self._public_key.public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        self.key_id = b64url(hashlib.sha1(public_der).digest())

    def jwks(self):
        numbers = self._public_key.public_numbers()

        def encode_int(value):
            return b64url(value.to_bytes((value.bit_length() + 7) // 8, "big"))

        return {
            "keys": [
                {
                    "kty": "RSA",
                    "use": "sig",
                    "alg": "RS256",
                    "kid": self.key_id,
                    "n": encode_int(numbers.n),
                    "e": encode_int(numbers.e),
                }
            ]
        }

    def issue(self, claims):
        """Sign claims with a fresh iat/nbf and a one-hour exp."""
        now = int(time.time())
        body = {"iat": now, "nbf": now, "exp": now + TOKEN_LIFETIME, **claims}
        return jwt.encode(body, self._private_key, algorithm="RS256", headers={"kid": self.key_id})

    def verify(self, token, audiences):
        """Claims of a token this emulator signed for one of audiences; raises InvalidToken."""
        try:
            claims = jwt.decode(
                token,
                self._public_key,
                algorithms=["RS256"],
                options={"verify_aud": False, "require": ["exp", "tid", "aud"]},
            )
        except jwt.ExpiredSignatureError:
            raise InvalidToken("Lifetime validation failed, the token is expired.") from None
        except jwt.InvalidTokenError as error:
            raise InvalidToken(f"Access token validation failure: {error}.") from None
        if normalize_audience(claims["aud"]) not in {normalize_audience(a) for a in audiences}:
            raise InvalidToken(f"Access token validation failure. Invalid audience '{claims['aud']}'.")
        return claims
