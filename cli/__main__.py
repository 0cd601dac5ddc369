"""``python -m hark.cli``: the ``hark`` command without its console script."""

import sys

from hark.cli.main import main

sys.exit(main())
