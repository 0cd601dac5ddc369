"""Audio as numbers: codecs (PCM16, μ-law, float), resampling, WAV files.

Contract: pure functions over ``numpy`` arrays and bytes, no state beyond a
streaming resampler's, no knowledge of callers, turns or engines; every
other voice stage may use them and they import nothing of the voice layer
but ``hark.voice.errors``.
"""
