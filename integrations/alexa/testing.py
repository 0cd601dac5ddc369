"""Sign Alexa requests yourself: a local CA and a request signer.

Amazon signs real requests with a certificate only Amazon holds, so nobody
can produce a genuine signed request offline. This kit builds a small
certificate authority (root → intermediate → leaf with the
``echo-api.amazon.com`` SAN) and signs request bodies exactly as Alexa does,
so the endpoint's full verification path can be exercised end to end: give
``AlexaVerifier`` this CA's root as its trust root and ``ca.fetcher`` as its
certificate fetcher. Used by the test suite and handy for local experiments.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from hark.integrations.alexa.verify import CERT_URL_HEADER, ECHO_API_SAN, SIGNATURE_HEADER

DEFAULT_CERT_URL = "https://s3.amazonaws.com/echo.api/echo-api-cert-test.pem"


def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Hark Test PKI"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


@dataclass
class IssuedCertificate:
    key: rsa.RSAPrivateKey
    cert: x509.Certificate

    def pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)


def _ca_cert(
    subject: str,
    key: rsa.RSAPrivateKey,
    issuer: IssuedCertificate | None,
    not_before: dt.datetime,
    not_after: dt.datetime,
) -> x509.Certificate:
    issuer_name = issuer.cert.subject if issuer else _name(subject)
    signing_key = issuer.key if issuer else key
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    if issuer:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()),
            critical=False,
        )
    return builder.sign(signing_key, hashes.SHA256())


class LocalCertificateAuthority:
    """A root and an intermediate CA that issue Alexa-style signing certificates."""

    def __init__(self, name: str = "Hark Test Root", now: dt.datetime | None = None) -> None:
        self.now = now or dt.datetime.now(dt.UTC)
        start, end = self.now - dt.timedelta(days=365), self.now + dt.timedelta(days=3650)
        root_key = _key()
        self.root = IssuedCertificate(root_key, _ca_cert(name, root_key, None, start, end))
        inter_key = _key()
        self.intermediate = IssuedCertificate(
            inter_key, _ca_cert(f"{name} Intermediate", inter_key, self.root, start, end)
        )
        self.chains: dict[str, bytes] = {}  # URL -> PEM served by ``fetcher``
        self.fetched: list[str] = []

    def issue_leaf(
        self,
        *,
        san: tuple[str, ...] = (ECHO_API_SAN,),
        not_before: dt.datetime | None = None,
        not_after: dt.datetime | None = None,
        key: rsa.RSAPrivateKey | None = None,
    ) -> IssuedCertificate:
        """A signing certificate; change SAN or dates to build the failing cases."""
        key = key or _key()
        not_before = not_before or self.now - dt.timedelta(days=1)
        not_after = not_after or self.now + dt.timedelta(days=90)
        builder = (
            x509.CertificateBuilder()
            .subject_name(_name(san[0] if san else "no-san"))
            .issuer_name(self.intermediate.cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(not_before)
            .not_valid_after(not_after)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    content_commitment=False,
                    key_encipherment=True,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=False,
                    crl_sign=False,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(
                x509.ExtendedKeyUsage(
                    [ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]
                ),
                critical=False,
            )
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(
                    self.intermediate.key.public_key()
                ),
                critical=False,
            )
            .add_extension(
                x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False
            )
        )
        if san:
            builder = builder.add_extension(
                x509.SubjectAlternativeName([x509.DNSName(n) for n in san]), critical=False
            )
        return IssuedCertificate(key, builder.sign(self.intermediate.key, hashes.SHA256()))

    def chain_pem(self, leaf: IssuedCertificate) -> bytes:
        """Leaf first, then the intermediate: the order Amazon serves."""
        return leaf.pem() + self.intermediate.pem()

    def publish(self, url: str, leaf: IssuedCertificate) -> None:
        """Make ``fetcher`` serve this leaf's chain at ``url``."""
        self.chains[url] = self.chain_pem(leaf)

    @property
    def trust_roots(self) -> list[x509.Certificate]:
        return [self.root.cert]

    def fetcher(self, url: str) -> bytes:
        """A certificate fetcher serving published chains (raises for unknown URLs)."""
        self.fetched.append(url)
        if url not in self.chains:
            raise FileNotFoundError(url)
        return self.chains[url]


def sign_body(key: rsa.RSAPrivateKey, body: bytes) -> str:
    """Base64 RSA PKCS#1 v1.5 SHA-256 signature, as in Alexa's ``Signature-256`` header."""
    return base64.b64encode(key.sign(body, padding.PKCS1v15(), hashes.SHA256())).decode("ascii")


@dataclass
class AlexaRequestSigner:
    """Builds and signs request envelopes the way the Alexa service sends them."""

    leaf: IssuedCertificate
    cert_url: str = DEFAULT_CERT_URL
    application_id: str = "amzn1.ask.skill.test-skill"
    user_id: str = "amzn1.ask.account.TESTUSER"
    access_token: str | None = None
    api_endpoint: str = "https://api.amazonalexa.com"
    clock: Callable[[], dt.datetime] = field(default=lambda: dt.datetime.now(dt.UTC))

    def envelope(
        self,
        request: dict[str, Any],
        *,
        attributes: dict[str, Any] | None = None,
        new: bool = False,
        session_id: str = "amzn1.echo-api.session.test",
    ) -> dict[str, Any]:
        """A full envelope around ``request``; request id and timestamp filled in if absent."""
        request = dict(request)
        request.setdefault("requestId", f"amzn1.echo-api.request.{uuid.uuid4()}")
        request.setdefault("timestamp", self.clock().strftime("%Y-%m-%dT%H:%M:%SZ"))
        request.setdefault("locale", "en-US")
        user: dict[str, Any] = {"userId": self.user_id}
        if self.access_token:
            user["accessToken"] = self.access_token
        application = {"applicationId": self.application_id}
        return {
            "version": "1.0",
            "session": {
                "new": new,
                "sessionId": session_id,
                "application": application,
                "attributes": attributes or {},
                "user": user,
            },
            "context": {
                "System": {
                    "application": application,
                    "user": user,
                    "device": {"deviceId": "amzn1.ask.device.TEST", "supportedInterfaces": {}},
                    "apiEndpoint": self.api_endpoint,
                    "apiAccessToken": "test-api-access-token",
                }
            },
            "request": request,
        }

    def sign(self, body: bytes) -> dict[str, str]:
        """Headers for a raw body: what Alexa adds to every request."""
        return {
            "Content-Type": "application/json",
            CERT_URL_HEADER: self.cert_url,
            SIGNATURE_HEADER: sign_body(self.leaf.key, body),
        }

    def signed(self, envelope: dict[str, Any]) -> tuple[bytes, dict[str, str]]:
        """Serialise and sign an envelope: (body bytes, headers)."""
        body = json.dumps(envelope).encode("utf-8")
        return body, self.sign(body)
