"""``python -m filmgraph`` runs the command line."""

import sys

from filmgraph.cli import main

sys.exit(main())
