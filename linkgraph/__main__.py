import sys

from linkgraph.cli import main

sys.exit(main())
