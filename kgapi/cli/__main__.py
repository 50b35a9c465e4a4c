"""`python -m kgapi.cli`: the `kgapi` command."""

import sys

from kgapi.cli import main

sys.exit(main())
