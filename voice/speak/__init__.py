"""Speaking a reply: text pieces in, paced audio out, with a clock of what was heard.

The stage's contract: one speak path (``speaker.Speaker.speak``) over an async
iterator of text pieces (a whole reply is an iterator of one piece; an LLM's
reply arrives sentence by sentence through ``reply_stream.StreamedReply``):
chunking into speech pieces (``hark.voice.tts.chunking``), synthesis one
piece ahead in a worker thread, pacing a little ahead of the caller's
player, and the ``PlayoutClock`` (``clock``) that cuts a barged-in reply to
the words really heard. Cancelling the speaking task stops the audio at once.
This package never imports ``hark.voice.turn`` (import-linter).
"""
