import asyncio, time
import numpy as np
from doubles import ScriptedTranscriber, ToneSynthesizer, UtteranceScript
from fixtures_voice import espeak_speech
from voice_client import VoiceClient
from hark.voice.session import VoiceOptions

async def test_dbg(make_app, live_server):
    app = make_app(transcriber=ScriptedTranscriber(UtteranceScript(["x"])), synthesizer=ToneSynthesizer(seconds_per_word=0.3))
    app.state.voice_options = VoiceOptions(partial_interval_s=None)
    url = f"{live_server(app).ws_url}/v1/voice"
    for rep in range(4):
      async with VoiceClient.connect(url) as client:
        await client.start(16000)
        a = await client.wait_for("audio_start")
        await asyncio.sleep(1.2)
        mark = client.mark()
        s = espeak_speech("Where is my order?", 16000)
        rep_ = await client.stream(np.concatenate([s, np.zeros(8000, np.int16)]), 16000, speed=1.0)
        i = await client.wait_for("interrupted", since=mark)
        ss = await client.wait_for("speech_started", since=mark)
        t0 = rep_.sent_at(0)
        lat = [round(at - t0 - k*0.02, 4) for k,(off,at) in enumerate(rep_.sent[:12])]
        print("\nstarted", round(ss.at-t0,3), "interrupted", round(i.at-t0,3), "send lateness", lat)
