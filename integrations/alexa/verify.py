"""Proof that a request really comes from Alexa, checked before anything is acted on.

Anyone can POST JSON to a public ``/alexa`` URL, so every rule Amazon lists
for web-service skills is enforced here: the certificate URL's shape, the
certificate chain up to a trusted root, its dates and SAN, the RSA-SHA256
signature over the raw body bytes, the request's age, and the skill id.
A failure raises ``VerificationError`` carrying the precise reason for the
log; the HTTP layer answers a bare 400 so an attacker learns nothing.

The certificate fetcher, the trust roots and the clock are injectable so the
test suite can sign real requests with its own certificate authority.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import logging
import posixpath
import threading
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.verification import DNSName, PolicyBuilder, Store
from cryptography.x509.verification import VerificationError as X509VerificationError

log = logging.getLogger("hark.alexa.verify")

CERT_URL_HEADER = "SignatureCertChainUrl"
SIGNATURE_HEADER = "Signature-256"
ECHO_API_SAN = "echo-api.amazon.com"
CERT_HOST = "s3.amazonaws.com"
CERT_PATH_PREFIX = "/echo.api/"
MAX_REQUEST_AGE_S = 150.0
MAX_CHAIN_BYTES = 64 * 1024

Fetcher = Callable[[str], bytes]
Clock = Callable[[], dt.datetime]


class VerificationError(Exception):
    """The request is not provably from Alexa; ``str(exc)`` is for the log only."""


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def normalize_cert_url(url: str | None) -> str:
    """Check ``SignatureCertChainUrl`` and return the canonical URL to download.

    Amazon's rules: https, host s3.amazonaws.com, port 443 if given, path under
    ``/echo.api/`` after resolving dot segments (case-sensitive path). The
    returned URL is rebuilt from the checked parts, so what is fetched is
    exactly what was checked (no userinfo, query or encoded tricks).
    """
    if not url:
        raise VerificationError(f"missing {CERT_URL_HEADER} header")
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise VerificationError(f"unparsable certificate URL: {exc}") from exc
    if parts.scheme.lower() != "https":
        raise VerificationError(f"certificate URL scheme is not https: {parts.scheme!r}")
    if (parts.hostname or "").lower() != CERT_HOST:
        raise VerificationError(f"certificate URL host is not {CERT_HOST}: {parts.hostname!r}")
    if port is not None and port != 443:
        raise VerificationError(f"certificate URL port is not 443: {port}")
    if parts.username is not None or parts.password is not None:
        raise VerificationError("certificate URL carries user info")
    if parts.query or parts.fragment:
        raise VerificationError("certificate URL carries a query or fragment")
    raw_path = unquote(parts.path)
    if "\\" in raw_path or "\x00" in raw_path:
        raise VerificationError("certificate URL path has forbidden characters")
    path = posixpath.normpath(raw_path) if raw_path else ""
    if not path.startswith(CERT_PATH_PREFIX):
        raise VerificationError(f"certificate URL path is not under {CERT_PATH_PREFIX}: {path!r}")
    return f"https://{CERT_HOST}{path}"


def http_fetcher(timeout_s: float = 5.0) -> Fetcher:
    """The production fetcher: one HTTPS GET, no redirects, size-capped."""

    def fetch(url: str) -> bytes:
        import httpx

        with (
            httpx.Client(timeout=timeout_s, follow_redirects=False) as client,
            client.stream("GET", url) as response,
        ):
            response.raise_for_status()
            data = bytearray()
            for chunk in response.iter_bytes():
                data.extend(chunk)
                if len(data) > MAX_CHAIN_BYTES:
                    raise VerificationError("certificate chain download is too large")
            return bytes(data)

    return fetch


def system_trust_roots() -> list[x509.Certificate]:
    """The certifi CA bundle: the same roots httpx trusts for HTTPS."""
    import certifi

    return load_trust_roots(certifi.where())


def load_trust_roots(path: str | Path) -> list[x509.Certificate]:
    """Every certificate in a PEM bundle; a shop can pin its own roots this way."""
    with open(path, "rb") as handle:
        bundle = handle.read()
    roots: list[x509.Certificate] = []
    end = b"-----END CERTIFICATE-----"
    for block in bundle.split(end)[:-1]:
        # One at a time: a single odd root (e.g. a non-positive serial) must not lose them all.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                roots.append(x509.load_pem_x509_certificate(block + end))
            except ValueError:
                continue
    return roots


@dataclass
class _CachedChain:
    leaf: x509.Certificate
    chain: list[x509.Certificate]
    expires: dt.datetime


def _not_before(cert: x509.Certificate) -> dt.datetime:
    return cert.not_valid_before_utc


def _not_after(cert: x509.Certificate) -> dt.datetime:
    return cert.not_valid_after_utc


def parse_timestamp(value: Any) -> dt.datetime:
    """Alexa sends ISO 8601 (``2026-11-24T10:00:00Z``); epoch milliseconds are also accepted."""
    if isinstance(value, bool):
        raise VerificationError("request timestamp is not a time")
    if isinstance(value, int | float):
        return dt.datetime.fromtimestamp(value / 1000.0, dt.UTC)
    if not isinstance(value, str) or not value:
        raise VerificationError("request timestamp is missing")
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError as exc:
        raise VerificationError(f"request timestamp is not ISO 8601: {value!r}") from exc
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed


class AlexaVerifier:
    """Checks signatures and envelopes; caches each certificate chain until it expires."""

    def __init__(
        self,
        skill_id: str | None,
        *,
        fetcher: Fetcher | None = None,
        trust_roots: Sequence[x509.Certificate] | None = None,
        clock: Clock = utc_now,
        max_age_s: float = MAX_REQUEST_AGE_S,
    ) -> None:
        self.skill_id = skill_id
        self._fetch = fetcher or http_fetcher()
        self._roots = list(trust_roots) if trust_roots is not None else None
        self._clock = clock
        self.max_age_s = max_age_s
        self._cache: dict[str, _CachedChain] = {}
        self._lock = threading.Lock()
        self.fetch_count = 0  # how many downloads happened (visible caching)

    # --- the whole check --------------------------------------------------------
    def verify(self, headers: Mapping[str, str], body: bytes, envelope: Mapping[str, Any]) -> None:
        """All rules; raises ``VerificationError`` with the first one broken."""
        self.verify_signature(headers.get(CERT_URL_HEADER), headers.get(SIGNATURE_HEADER), body)
        self.verify_envelope(envelope)

    # --- signature ----------------------------------------------------------------
    def verify_signature(
        self, cert_url: str | None, signature_b64: str | None, body: bytes
    ) -> None:
        url = normalize_cert_url(cert_url)
        if not signature_b64:
            raise VerificationError(f"missing {SIGNATURE_HEADER} header")
        try:
            signature = base64.b64decode(signature_b64.strip(), validate=True)
        except (binascii.Error, ValueError) as exc:
            raise VerificationError("signature header is not base64") from exc
        leaf = self.signing_certificate(url)
        key = leaf.public_key()
        if not isinstance(key, rsa.RSAPublicKey):
            raise VerificationError("signing certificate key is not RSA")
        try:
            key.verify(signature, body, padding.PKCS1v15(), hashes.SHA256())
        except InvalidSignature as exc:
            raise VerificationError("signature does not match the request body") from exc

    def signing_certificate(self, url: str) -> x509.Certificate:
        """The verified leaf for a (normalised) URL, from cache while still valid."""
        now = self._clock()
        with self._lock:
            cached = self._cache.get(url)
        if cached is not None and now < cached.expires:
            self._check_dates(cached.chain, now)
            return cached.leaf
        chain = self._download(url)
        leaf = self._validate_chain(chain, now)
        expires = min(_not_after(c) for c in chain)
        with self._lock:
            self._cache[url] = _CachedChain(leaf=leaf, chain=chain, expires=expires)
        return leaf

    def _download(self, url: str) -> list[x509.Certificate]:
        with self._lock:
            self.fetch_count += 1
        try:
            pem = self._fetch(url)
        except VerificationError:
            raise
        except Exception as exc:
            raise VerificationError(f"certificate chain download failed: {exc}") from exc
        try:
            chain = x509.load_pem_x509_certificates(pem)
        except ValueError as exc:
            raise VerificationError(f"certificate chain is not PEM: {exc}") from exc
        if not chain:
            raise VerificationError("certificate chain is empty")
        return chain

    def _check_dates(self, chain: Sequence[x509.Certificate], now: dt.datetime) -> None:
        for position, cert in enumerate(chain):
            if now < _not_before(cert):
                raise VerificationError(
                    f"certificate {position} not valid before {_not_before(cert).isoformat()}"
                )
            if now > _not_after(cert):
                raise VerificationError(
                    f"certificate {position} expired at {_not_after(cert).isoformat()}"
                )

    def _validate_chain(self, chain: list[x509.Certificate], now: dt.datetime) -> x509.Certificate:
        leaf, intermediates = chain[0], chain[1:]
        self._check_dates(chain, now)
        try:
            san = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
            names = san.get_values_for_type(x509.DNSName)
        except x509.ExtensionNotFound:
            names = []
        if ECHO_API_SAN not in [n.lower() for n in names]:
            raise VerificationError(f"signing certificate SAN lacks {ECHO_API_SAN}: {names}")
        roots = self._trust_roots()
        if not roots:
            raise VerificationError("no trust roots configured")
        verifier = (
            PolicyBuilder()
            .store(Store(roots))
            .time(now)
            .build_server_verifier(DNSName(ECHO_API_SAN))
        )
        try:
            verifier.verify(leaf, intermediates)
        except X509VerificationError as exc:
            raise VerificationError(
                f"certificate chain does not reach a trusted root: {exc}"
            ) from exc
        return leaf

    def _trust_roots(self) -> list[x509.Certificate]:
        if self._roots is None:
            self._roots = system_trust_roots()
        return self._roots

    # --- envelope -------------------------------------------------------------------
    def verify_envelope(self, envelope: Mapping[str, Any]) -> None:
        request = envelope.get("request")
        if not isinstance(request, Mapping):
            raise VerificationError("envelope has no request object")
        stamp = parse_timestamp(request.get("timestamp"))
        age = abs((self._clock() - stamp).total_seconds())
        if age > self.max_age_s:
            raise VerificationError(f"request timestamp is {age:.0f} s away from now")
        if self.skill_id:
            found = application_ids(envelope)
            if not found:
                raise VerificationError("request carries no applicationId")
            wrong = [a for a in found if a != self.skill_id]
            if wrong:
                raise VerificationError(f"applicationId does not match the skill: {wrong[0]!r}")


def application_ids(envelope: Mapping[str, Any]) -> list[str]:
    """Every applicationId the envelope states (session and context may both carry one)."""
    found: list[str] = []
    session = envelope.get("session")
    if isinstance(session, Mapping):
        app = session.get("application")
        if isinstance(app, Mapping) and app.get("applicationId") is not None:
            found.append(str(app["applicationId"]))
    context = envelope.get("context")
    if isinstance(context, Mapping):
        system = context.get("System")
        if isinstance(system, Mapping):
            app = system.get("application")
            if isinstance(app, Mapping) and app.get("applicationId") is not None:
                found.append(str(app["applicationId"]))
    return found


def log_verification_settings(verify: bool, skill_id: str | None) -> None:
    """Said once at start: a server that accepts unsigned Alexa requests must be loud about it."""
    if not verify:
        log.warning(
            "ALEXA REQUEST VERIFICATION IS OFF (HARK_ALEXA_VERIFY=false): anyone who can reach "
            "POST /alexa can act as any Alexa user. Never run like this on a public address."
        )
    elif not skill_id:
        log.warning(
            "HARK_ALEXA_SKILL_ID is not set: Alexa requests signed by Amazon for ANY skill are "
            "accepted. Set it to your skill's applicationId."
        )
