"""Every Alexa request-verification rule, each with a passing and a failing case.

Requests are signed for real with a local certificate authority (root →
intermediate → leaf with the echo-api.amazon.com SAN); the verifier trusts
only that root and downloads chains through the CA's in-memory fetcher, so
nothing touches the network.
"""

from __future__ import annotations

import base64
import datetime as dt
import json

import pytest

from hark.integrations.alexa.testing import (
    AlexaRequestSigner,
    LocalCertificateAuthority,
)
from hark.integrations.alexa.verify import (
    AlexaVerifier,
    VerificationError,
    normalize_cert_url,
    parse_timestamp,
)

SKILL_ID = "amzn1.ask.skill.test-skill"


@pytest.fixture
def signer(leaf) -> AlexaRequestSigner:
    return AlexaRequestSigner(leaf, application_id=SKILL_ID)


def make_verifier(ca: LocalCertificateAuthority, **kwargs) -> AlexaVerifier:
    kwargs.setdefault("fetcher", ca.fetcher)
    kwargs.setdefault("trust_roots", ca.trust_roots)
    return AlexaVerifier(kwargs.pop("skill_id", SKILL_ID), **kwargs)


def launch(signer: AlexaRequestSigner, **request) -> tuple[dict, bytes, dict]:
    envelope = signer.envelope({"type": "LaunchRequest", **request}, new=True)
    body, headers = signer.signed(envelope)
    return envelope, body, headers


def rejected(verifier: AlexaVerifier, headers: dict, body: bytes, envelope: dict) -> str:
    with pytest.raises(VerificationError) as info:
        verifier.verify(headers, body, envelope)
    return str(info.value)


# --- the happy path, and caching ------------------------------------------------------------
def test_a_genuinely_signed_request_passes_and_the_chain_is_cached(ca, signer) -> None:
    verifier = make_verifier(ca)
    for _ in range(3):
        envelope, body, headers = launch(signer)
        verifier.verify(headers, body, envelope)
    assert verifier.fetch_count == 1


def test_the_cache_ends_when_the_certificate_expires(ca, leaf, signer) -> None:
    now = [dt.datetime.now(dt.UTC)]
    verifier = make_verifier(ca, clock=lambda: now[0])
    envelope, body, headers = launch(signer)
    verifier.verify_signature(headers["SignatureCertChainUrl"], headers["Signature-256"], body)
    now[0] = leaf.cert.not_valid_after_utc + dt.timedelta(seconds=1)
    with pytest.raises(VerificationError, match="expired"):
        verifier.verify_signature(headers["SignatureCertChainUrl"], headers["Signature-256"], body)
    assert verifier.fetch_count == 2  # expired cache entry was not trusted; chain re-read


# --- SignatureCertChainUrl ------------------------------------------------------------------
@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        ("https://s3.amazonaws.com/echo.api/echo-api-cert.pem", "/echo.api/echo-api-cert.pem"),
        ("HTTPS://s3.amazonaws.com/echo.api/echo-api-cert.pem", "/echo.api/echo-api-cert.pem"),
        ("https://S3.AMAZONAWS.COM/echo.api/echo-api-cert.pem", "/echo.api/echo-api-cert.pem"),
        ("https://s3.amazonaws.com:443/echo.api/echo-api-cert.pem", "/echo.api/echo-api-cert.pem"),
        (
            "https://s3.amazonaws.com/echo.api/../echo.api/echo-api-cert.pem",
            "/echo.api/echo-api-cert.pem",
        ),
    ],
)
def test_valid_certificate_urls_normalise(url: str, canonical: str) -> None:
    assert normalize_cert_url(url) == "https://s3.amazonaws.com" + canonical


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://s3.amazonaws.com/echo.api/echo-api-cert.pem", "scheme"),
        ("ftp://s3.amazonaws.com/echo.api/echo-api-cert.pem", "scheme"),
        ("https://notamazon.com/echo.api/echo-api-cert.pem", "host"),
        ("https://s3.amazonaws.com.evil.example/echo.api/echo-api-cert.pem", "host"),
        ("https://s3.amazonaws.com/EcHo.aPi/echo-api-cert.pem", "path"),
        ("https://s3.amazonaws.com/invalid.path/echo-api-cert.pem", "path"),
        ("https://s3.amazonaws.com/echo.api/../invalid.path/cert.pem", "path"),
        ("https://s3.amazonaws.com/echo.api%2F..%2Fother/cert.pem", "path"),
        ("https://s3.amazonaws.com:563/echo.api/echo-api-cert.pem", "port"),
        ("https://s3.amazonaws.com:notaport/echo.api/echo-api-cert.pem", "unparsable"),
        ("https://user@s3.amazonaws.com/echo.api/echo-api-cert.pem", "user info"),
        ("https://s3.amazonaws.com/echo.api/cert.pem?x=1", "query"),
        ("", "missing"),
        (None, "missing"),
    ],
)
def test_invalid_certificate_urls_are_rejected(url: str | None, reason: str) -> None:
    with pytest.raises(VerificationError, match=reason):
        normalize_cert_url(url)


def test_a_bad_url_is_rejected_before_anything_is_downloaded(ca, signer) -> None:
    verifier = make_verifier(ca)
    envelope, body, headers = launch(signer)
    headers["SignatureCertChainUrl"] = "http://s3.amazonaws.com/echo.api/echo-api-cert-test.pem"
    assert "scheme" in rejected(verifier, headers, body, envelope)
    assert verifier.fetch_count == 0


# --- the certificate chain ------------------------------------------------------------------
def _with_leaf(ca: LocalCertificateAuthority, url_name: str, leaf) -> AlexaRequestSigner:
    url = f"https://s3.amazonaws.com/echo.api/{url_name}.pem"
    ca.chains[url] = ca.chain_pem(leaf)
    return AlexaRequestSigner(leaf, cert_url=url, application_id=SKILL_ID)


def test_an_expired_signing_certificate_is_rejected(ca) -> None:
    now = dt.datetime.now(dt.UTC)
    old = ca.issue_leaf(
        not_before=now - dt.timedelta(days=30), not_after=now - dt.timedelta(days=1)
    )
    envelope, body, headers = launch(_with_leaf(ca, "expired", old))
    assert "expired" in rejected(make_verifier(ca), headers, body, envelope)


def test_a_not_yet_valid_signing_certificate_is_rejected(ca) -> None:
    now = dt.datetime.now(dt.UTC)
    early = ca.issue_leaf(
        not_before=now + dt.timedelta(days=1), not_after=now + dt.timedelta(days=60)
    )
    envelope, body, headers = launch(_with_leaf(ca, "future", early))
    assert "not valid before" in rejected(make_verifier(ca), headers, body, envelope)


@pytest.mark.parametrize("san", [("echo-api.example.com",), ("www.amazon.com", "amazon.com"), ()])
def test_a_certificate_without_the_echo_api_san_is_rejected(ca, san) -> None:
    wrong = ca.issue_leaf(san=san)
    envelope, body, headers = launch(_with_leaf(ca, f"san-{len(san)}", wrong))
    assert "SAN" in rejected(make_verifier(ca), headers, body, envelope)


def test_a_chain_to_an_untrusted_root_is_rejected(ca) -> None:
    rogue_ca = LocalCertificateAuthority("Rogue Root")
    rogue = rogue_ca.issue_leaf()  # valid dates, right SAN, wrong root
    envelope, body, headers = launch(_with_leaf(ca, "rogue", rogue))
    assert "trusted root" in rejected(make_verifier(ca), headers, body, envelope)


def test_a_leaf_served_without_its_intermediate_is_rejected(ca, leaf) -> None:
    url = "https://s3.amazonaws.com/echo.api/leaf-only.pem"
    ca.chains[url] = leaf.pem()
    signer = AlexaRequestSigner(leaf, cert_url=url, application_id=SKILL_ID)
    envelope, body, headers = launch(signer)
    assert "trusted root" in rejected(make_verifier(ca), headers, body, envelope)


def test_the_default_trust_roots_do_not_trust_a_private_ca(signer) -> None:
    ca_for_fetch = LocalCertificateAuthority("Private")
    verifier = AlexaVerifier(SKILL_ID, fetcher=lambda _url: ca_for_fetch.chain_pem(signer.leaf))
    envelope, body, headers = launch(signer)
    assert "trusted root" in rejected(verifier, headers, body, envelope)


@pytest.mark.parametrize(
    ("served", "reason"), [(b"not a certificate", "PEM"), (None, "download failed")]
)
def test_unusable_chain_downloads_are_rejected(ca, signer, served, reason) -> None:
    def fetch(_url: str) -> bytes:
        if served is None:
            raise ConnectionError("no route to host")
        return served

    verifier = make_verifier(ca, fetcher=fetch)
    envelope, body, headers = launch(signer)
    assert reason in rejected(verifier, headers, body, envelope)


# --- Signature-256 ------------------------------------------------------------------------
def test_a_signature_from_another_key_is_rejected(ca, leaf, signer) -> None:
    impostor = ca.issue_leaf()  # a key Amazon's certificate does not hold
    envelope, body, headers = launch(signer)
    headers["Signature-256"] = AlexaRequestSigner(impostor).sign(body)["Signature-256"]
    assert "does not match" in rejected(make_verifier(ca), headers, body, envelope)


def test_a_tampered_body_is_rejected(ca, signer) -> None:
    envelope, body, headers = launch(signer)
    tampered = body.replace(b"LaunchRequest", b"LaunchRequesu")
    assert tampered != body
    assert "does not match" in rejected(make_verifier(ca), headers, tampered, json.loads(tampered))


def test_the_signature_covers_raw_bytes_not_reserialised_json(ca, signer) -> None:
    envelope, body, headers = launch(signer)
    respaced = json.dumps(envelope, indent=1).encode()  # same JSON value, other bytes
    assert "does not match" in rejected(make_verifier(ca), headers, respaced, envelope)


@pytest.mark.parametrize(
    ("header", "value", "reason"),
    [
        ("Signature-256", None, "missing Signature-256"),
        ("Signature-256", "", "missing Signature-256"),
        ("Signature-256", "***not base64***", "base64"),
        ("SignatureCertChainUrl", None, "missing SignatureCertChainUrl"),
    ],
)
def test_missing_or_malformed_headers_are_rejected(ca, signer, header, value, reason) -> None:
    envelope, body, headers = launch(signer)
    if value is None:
        del headers[header]
    else:
        headers[header] = value
    assert reason in rejected(make_verifier(ca), headers, body, envelope)


def test_a_legacy_sha1_signature_alone_is_not_enough(ca, signer) -> None:
    envelope, body, headers = launch(signer)
    headers["Signature"] = base64.b64encode(b"x" * 256).decode()
    del headers["Signature-256"]
    assert "missing Signature-256" in rejected(make_verifier(ca), headers, body, envelope)


# --- timestamp ------------------------------------------------------------------------------
def _stamp(when: dt.datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.mark.parametrize("offset_s", [-151, -600, 151, 86400])
def test_a_timestamp_more_than_150_seconds_away_is_rejected(ca, signer, offset_s) -> None:
    when = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=offset_s)
    envelope, body, headers = launch(signer, timestamp=_stamp(when))
    assert "timestamp" in rejected(make_verifier(ca), headers, body, envelope)


def test_a_timestamp_within_150_seconds_passes(ca, signer) -> None:
    when = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=140)
    envelope, body, headers = launch(signer, timestamp=_stamp(when))
    make_verifier(ca).verify(headers, body, envelope)


@pytest.mark.parametrize("value", [None, "", "yesterday", True, {"t": 1}])
def test_a_missing_or_unreadable_timestamp_is_rejected(value) -> None:
    with pytest.raises(VerificationError, match="timestamp"):
        parse_timestamp(value)


def test_epoch_millisecond_timestamps_are_understood() -> None:
    assert parse_timestamp(1_700_000_000_000) == dt.datetime.fromtimestamp(1_700_000_000, dt.UTC)


# --- applicationId -----------------------------------------------------------------------
def test_a_request_for_another_skill_is_rejected(ca, leaf) -> None:
    other = AlexaRequestSigner(leaf, application_id="amzn1.ask.skill.someone-else")
    envelope, body, headers = launch(other)
    assert "applicationId" in rejected(make_verifier(ca), headers, body, envelope)


def test_a_mismatch_between_session_and_context_application_ids_is_rejected(ca, signer) -> None:
    envelope = signer.envelope({"type": "LaunchRequest"})
    envelope["context"]["System"]["application"] = {"applicationId": "amzn1.ask.skill.other"}
    body, headers = signer.signed(envelope)
    assert "applicationId" in rejected(make_verifier(ca), headers, body, envelope)


def test_a_request_without_any_application_id_is_rejected(ca, signer) -> None:
    envelope = signer.envelope({"type": "LaunchRequest"})
    del envelope["session"]["application"]
    del envelope["context"]["System"]["application"]
    body, headers = signer.signed(envelope)
    assert "no applicationId" in rejected(make_verifier(ca), headers, body, envelope)


def test_without_a_configured_skill_id_any_application_is_accepted(ca, leaf) -> None:
    other = AlexaRequestSigner(leaf, application_id="amzn1.ask.skill.anything")
    envelope, body, headers = launch(other)
    make_verifier(ca, skill_id=None).verify(headers, body, envelope)


def test_trust_roots_from_a_pem_bundle_setting(ca, signer, tmp_path) -> None:
    from cryptography.hazmat.primitives.serialization import Encoding

    from hark.integrations.alexa.verify import load_trust_roots

    bundle = tmp_path / "roots.pem"
    bundle.write_bytes(b"".join(root.public_bytes(Encoding.PEM) for root in ca.trust_roots))
    verifier = make_verifier(ca, trust_roots=load_trust_roots(bundle))
    envelope, body, headers = launch(signer)
    verifier.verify(headers, body, envelope)
    other = LocalCertificateAuthority(name="Somebody Else's Root")
    stranger = make_verifier(ca, trust_roots=other.trust_roots)
    assert rejected(stranger, headers, body, envelope)
