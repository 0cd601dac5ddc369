"""Who a trusted reverse proxy says the client is: ``X-Forwarded-For`` and ``Forwarded``.

Each proxy appends the address it saw, so the right end of the list is written by the
proxies and the left end by whoever sent the request. The client is therefore the
nearest hop, read right to left, that is not itself a trusted proxy: a client that
writes its own hops in front of the proxy's can't choose its rate-limit bucket. Only
asked when the peer is a trusted proxy (``hark.server.auth.client_address``).
"""

from __future__ import annotations

import ipaddress

from starlette.datastructures import Headers

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
MAX_HOPS = 20  # hops looked at, from the right


def forwarded_client(headers: Headers, peer: str, trusted: tuple[Network, ...]) -> str:
    """The client a trusted ``peer`` forwarded for; ``peer`` itself when the headers name
    no usable address."""
    hops = _hops(headers)[-MAX_HOPS:]
    for hop in reversed(hops):
        if not within(hop, trusted):
            return hop if _is_address(hop) else peer
    return hops[0] if hops else peer  # every hop a proxy: the farthest one seen


def within(host: str, networks: tuple[Network, ...]) -> bool:
    """``host`` is an address in one of ``networks`` (IPv4-mapped IPv6 read as IPv4)."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)
    return any((mapped or address) in network for network in networks)


def _hops(headers: Headers) -> list[str]:
    """The addresses ``X-Forwarded-For`` (or else RFC 7239 ``Forwarded``) lists, in order."""
    hops: list[str] = []
    for value in headers.getlist("x-forwarded-for"):
        hops += [h.strip() for h in value.split(",")]
    if not hops:
        for value in headers.getlist("forwarded"):
            for element in value.split(","):
                for pair in element.split(";"):
                    name, _, found = pair.strip().partition("=")
                    if name.strip().lower() == "for":
                        hops.append(_strip_port(found.strip().strip('"')))
    return [h[:64] for h in hops if h]


def _strip_port(value: str) -> str:
    """``"[2001:db8::1]:4711"`` -> ``2001:db8::1``; ``192.0.2.1:80`` -> ``192.0.2.1``."""
    if value.startswith("["):
        return value[1 : value.find("]")] if "]" in value else value
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


def _is_address(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True
