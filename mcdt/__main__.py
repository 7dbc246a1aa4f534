import sys

from mcdt.cli import main

sys.exit(main())
