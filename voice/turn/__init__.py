"""Turn-taking: one connection's conversation and each turn from transcript to audio.

The stage's contract: ``VoiceSession`` (``session``) is the public API a
connection drives (``on_text``/``on_message``/``on_bytes``, ``begin``,
``close``), given the process's ``VoiceServices`` and a ``Transport``
(``hark.voice.transport``). It wires the listen stage to the brain and the
speak stage; ``opening`` decides which conversation a ``start`` opens (new or
resumed); ``runner`` runs one turn (transcript -> ``DialogueManager`` ->
the speaker), ``turns`` undoes what a barge-in requires, ``speculation``
prepares a reply during the hangover, ``metrics`` times the stages,
``outbox`` orders sends and brain calls, ``limit`` caps a socket's turn rate.
Integrations import only ``session`` of this package (import-linter).
"""
