"""`python -m faceproof ...`: the same command line as `faceproof ...`."""

import sys

from faceproof.cli import main

sys.exit(main())
