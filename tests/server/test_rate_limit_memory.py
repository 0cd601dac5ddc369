"""The in-process moving window (``HARK_RATE_LIMIT`` without Redis) counts as ``limits`` does.

It replaced the library's memory storage, which started a timer thread per
request on a busy server; these pin the behaviour clients see: the request
past the limit is refused with the seconds until the oldest counted one
leaves the window, limits are counted in order, and identities are apart.
"""

from __future__ import annotations

import threading

import pytest

from hark.server import rate_limit
from hark.server.rate_limit import RateLimiter


class Clock:
    """``time.monotonic`` for the module under test, moved by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(rate_limit.time, "monotonic", clock)
    return clock


def test_the_request_past_the_limit_waits_until_the_oldest_leaves_the_window(clock: Clock):
    limiter = RateLimiter("3/minute")
    for _ in range(3):
        assert limiter.hit("addr", "10.0.0.1") is None
        clock.now += 10  # requests at 0, 10, 20 s
    assert limiter.hit("addr", "10.0.0.1") == 30  # at 30 s: the one at 0 s leaves at 60 s
    clock.now += 29.5
    assert limiter.hit("addr", "10.0.0.1") == 1  # half a second left: a whole second
    clock.now += 0.5  # 60 s: the first request is as old as the window, still in it
    assert limiter.hit("addr", "10.0.0.1") == 1
    clock.now += 0.5  # 60.5 s: it has left
    assert limiter.hit("addr", "10.0.0.1") is None
    assert limiter.hit("addr", "10.0.0.1") == 10  # the one at 10 s is now the oldest of 3


def test_refused_requests_are_not_counted(clock: Clock):
    limiter = RateLimiter("1/second")
    assert limiter.hit("owner", "key:a") is None
    for _ in range(50):
        assert limiter.hit("owner", "key:a") == 1
    clock.now += 1.5
    assert limiter.hit("owner", "key:a") is None


def test_identities_and_kinds_are_counted_apart(clock: Clock):
    limiter = RateLimiter("1/minute")
    assert limiter.hit("addr", "10.0.0.1") is None
    assert limiter.hit("addr", "10.0.0.2") is None
    assert limiter.hit("owner", "10.0.0.1") is None
    assert limiter.hit("addr", "10.0.0.1") == 60


def test_every_limit_of_a_spec_holds_and_counts_in_order(clock: Clock):
    limiter = RateLimiter("2/second;3/minute")
    assert limiter.hit("k") is None
    assert limiter.hit("k") is None
    assert limiter.hit("k") == 1  # the per-second limit refuses first
    clock.now += 1.5
    assert limiter.hit("k") is None  # third in the minute
    clock.now += 1.5
    assert limiter.hit("k") == 57  # the per-second limit counted it; the minute refused


def test_off_allows_everything_and_zero_allows_nothing(clock: Clock):
    assert not RateLimiter("off").enabled
    assert all(RateLimiter("off").hit("k") is None for _ in range(1000))
    assert RateLimiter("0/minute").hit("k") == 60


def test_identities_with_nothing_in_the_window_are_forgotten(clock: Clock):
    limiter = RateLimiter("5/minute")
    for n in range(100):
        limiter.hit("addr", f"10.0.0.{n}")
    clock.now += rate_limit.SWEEP_S + 61
    limiter.hit("addr", "10.0.1.1")
    assert list(limiter._memory._times) == [(0, ("addr", "10.0.1.1"))]


def test_threads_never_let_more_than_the_limit_through():
    limiter = RateLimiter("500/minute")
    allowed: list[bool] = []

    def client() -> None:
        for _ in range(100):
            allowed.append(limiter.hit("owner", "key:shared") is None)

    threads = [threading.Thread(target=client) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(allowed) == 500 and len(allowed) == 800
