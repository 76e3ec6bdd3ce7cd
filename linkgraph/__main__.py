import sys

from linkgraph.cli import program

sys.exit(program())
