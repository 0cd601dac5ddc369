"""The ``hark`` command line: one module per command, beside the server, not inside it.

The contract: ``hark.cli.main`` is the console script's table of commands;
every other module here is one command (``serve``, ``config``, ``models``,
``chat``, ...) with a ``register(subparsers)`` that adds its parser and its
function; ``common`` holds what they share (``--config``, a one-line error).
This package sits in the top layer beside ``hark.server`` and
``hark.client``: a command may import any layer below (``serve`` starts the
server through ``hark.server.serving``), and nothing of Hark imports it.
"""
