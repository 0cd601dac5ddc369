"""Speech synthesis engines: the ``Synthesizer`` interface, piper, and the sentence
chunking both the engines and the speaker rely on (``chunking``: the engine's
contract is one chunk per sentence of ``split_sentences``, so it lives here)."""
