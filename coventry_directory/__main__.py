"""Allow ``python -m coventry_directory``."""

import sys

from coventry_directory.cli import main

sys.exit(main())
