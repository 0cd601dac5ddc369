"""The voice layer: a caller's audio in, Hark's reply audio out, along the pipeline.

One spoken turn moves through the sub-packages in this order (docs/architecture.md
follows one through the files):

* ``listen/``: the caller's audio becomes utterances (echo cancellation, VAD,
  endpointer, recognition scheduling, barge-in judging).
* ``turn/``: a connection's conversation (``VoiceSession``) and each turn's
  run from transcript to brain to speech, speculation, stage times, limits.
* ``speak/``: the one speak path: reply text pieces to paced audio, the
  playout clock that says what was heard.
* ``audio/`` (codecs, resampling, WAV), ``asr/`` and ``tts/`` (the engines)
  are the tools the stages above use.

The top-level modules are the layer's boundary with the outside: the wire
types (``protocol``), what the process hands a session (``services``), who
opened the connection (``access``), how events and audio leave (``transport``)
and the errors engines raise (``errors``).
"""
