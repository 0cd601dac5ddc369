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


def link_alexa(db, external_id: str, customer_id: str, *, token: bool = False) -> bool:
    """Link an Alexa user id (or token) as ``hark alexa link`` does."""
    from hark.integrations.alexa.customers import link_key
    from hark.store.channel_links import link_customer

    return link_customer(db, *link_key(external_id, token=token), customer_id)


def find_alexa(db, *, access_token: str | None, user_id: str | None) -> str | None:
    """The customer the skill would find for this caller (the brain's link lookup)."""
    from hark.integrations.alexa.customers import link_lookups
    from hark.store.channel_links import find_linked_customer

    return find_linked_customer(db, link_lookups(access_token=access_token, user_id=user_id))
