"""Hearing the caller: their audio in, utterances (with transcripts on the way) out.

The stage's contract: ``Listener.feed(samples)`` takes the caller's audio
(already through ``CallerAudio``: the echo canceller with Hark's own reply as
the far-end reference, and the optional noise suppressor) and returns
``ListenerEvent``s: speech started, paused (an early transcript to speculate
on), resumed, stopped (an ``Utterance`` whose transcript is being made on the
shared recognition scheduler, ``hark.voice.asr.scheduler``). ``endpointing``
says how long the endpointer waits for what the brain expects next;
``barge_in`` judges whether speech over Hark's voice takes the turn.

Echo cancellation lives here, not with speaking, because its job is to clean
what is *heard*: it sits in front of the VAD and the recogniser, and only
needs from the speak side a reference (each reply frame and when it plays),
handed in as a plain callable. This package never imports ``hark.voice.turn``
(import-linter): it reports what it hears and the turn decides what to do.
"""
