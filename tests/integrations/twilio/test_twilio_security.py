"""Every Twilio route refuses what Twilio did not sign (403), and says why only in the log,
never with the token, the signature or the body."""

from __future__ import annotations

import logging

import pytest
import websockets
from twilio_sim import PUBLIC, TOKEN, SimStream, sid, sign

CALL = "CA" + "0" * 32
WEBHOOKS = [
    "/twilio/voice",
    "/twilio/gather?turn=1",
    "/twilio/status",
    "/twilio/sms",
    "/twilio/stream-ended",
    f"/twilio/whisper?call={CALL}",
    f"/twilio/dial-status?call={CALL}",
    f"/twilio/callback?call={CALL}",
]
PARAMS = {"CallSid": CALL, "From": "+15550100101", "MessageSid": "SM" + "1" * 32, "Body": "hi"}


@pytest.mark.parametrize("path", WEBHOOKS)
async def test_forged_missing_and_misdirected_signatures_are_refused(
    phone, path, caplog, db
) -> None:
    sim = phone("gather").sim
    caplog.set_level(logging.INFO)
    forged = sign(PUBLIC + path, PARAMS, token="not-the-auth-token")
    local = sign(sim.local_url + path, PARAMS)  # signed for the URL the server sees, not Twilio's
    cases = {
        "missing": await sim.post(path, PARAMS, signature=None),
        "forged": await sim.post(path, PARAMS, signature=forged),
        "wrong url": await sim.post(path, PARAMS, signature=local),
        "tampered": await sim.post(
            path, {**PARAMS, "From": "+15550100102"}, signature=sign(PUBLIC + path, PARAMS)
        ),
    }
    for case, response in cases.items():
        assert response.status_code == 403, (case, response.status_code, response.text)
    good = await sim.post(path, PARAMS)
    assert good.status_code == 200, good.text
    log_text = caplog.text
    assert "twilio request refused" in log_text
    for secret in (TOKEN, forged, local, "+15550100102"):
        assert secret not in log_text


async def test_nothing_is_accepted_without_an_auth_token_or_public_url(
    phone, twilio_settings, caplog
) -> None:
    for missing in ({"twilio_auth_token": None}, {"public_url": None}):
        sim = phone("stream", settings=twilio_settings.model_copy(update=missing)).sim
        with caplog.at_level(logging.WARNING):
            response = await sim.post("/twilio/voice", PARAMS)
        assert response.status_code == 403
        assert (
            "HARK_TWILIO_AUTH_TOKEN" if "twilio_auth_token" in missing else "HARK_PUBLIC_URL"
        ) in caplog.text


@pytest.mark.parametrize("signature", [None, "bm90IGEgc2lnbmF0dXJl", "local"])
async def test_media_stream_upgrade_needs_twilios_signature(phone, signature, caplog) -> None:
    line = phone("stream")
    if signature == "local":  # right token, but over the local URL instead of the public one
        signature = sign(line.sim.local_url.replace("http", "ws") + "/twilio/media", None)
    stream = SimStream(line.sim, call_sid=sid("CA"), params={}, signature=signature)
    with pytest.raises(websockets.InvalidStatus) as refused:
        await stream.__aenter__()
    assert refused.value.response.status_code == 403
    assert "twilio media stream refused" in caplog.text and TOKEN not in caplog.text
    assert not line.runtime.streams
