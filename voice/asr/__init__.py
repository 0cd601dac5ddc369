"""Speech recognition engines: the ``Transcriber`` interface, faster-whisper, the
low-priority twin for partials, and the shared recognition scheduler every
call's listener queues its work on."""
