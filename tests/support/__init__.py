"""What the test suite and the benchmarks share, one copy each.

* :mod:`support.ports`: a free loopback port (``free_port``), for every server
  a test or a benchmark starts (other engineers' runs share the machine: never
  a fixed port);
* :mod:`support.real_models`: where the real Whisper base, piper voice and
  embedding model are (``real_model_paths``), fetched into the user's cache by
  ``tools/fetch_real_models.py`` when missing;
* :mod:`support.live_server`: ``LiveServer``, a real uvicorn server on
  loopback in a background thread (the ``live_server`` fixture of
  ``tests/conftest.py`` starts and stops them).

The suite imports these as ``support.*`` (``tests/`` is on pytest's
``pythonpath``); the benchmarks reach them through ``bench/harness.py``.
Nothing here imports pytest, so a benchmark can use it outside a test run.
"""
