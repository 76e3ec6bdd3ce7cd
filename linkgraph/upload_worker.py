"""The process an upload is read and loaded in (:func:`linkgraph.uploads._bounded` starts it and kills it when
it runs too long): the work's name and arguments come pickled on stdin, its result goes pickled to stdout.
Only linkgraph's own server process starts it, with what it was given itself."""

import pickle
import sys

from linkgraph.uploads import run_in_worker


def main() -> None:
    name, kwargs = pickle.loads(sys.stdin.buffer.read())
    result = run_in_worker(name, kwargs)
    sys.stdout.buffer.write(pickle.dumps(result))


if __name__ == "__main__":
    main()
