"""A local certificate authority shared by the Alexa tests: one root, one
intermediate and a leaf with the ``echo-api.amazon.com`` SAN, published at the
default certificate URL through the CA's injectable fetcher."""

from __future__ import annotations

import pytest

from hark.integrations.alexa.testing import DEFAULT_CERT_URL, LocalCertificateAuthority


@pytest.fixture(scope="module")
def ca() -> LocalCertificateAuthority:
    return LocalCertificateAuthority()


@pytest.fixture(scope="module")
def leaf(ca: LocalCertificateAuthority):
    issued = ca.issue_leaf()
    ca.publish(DEFAULT_CERT_URL, issued)
    return issued
