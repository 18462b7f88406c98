"""Run the benchmarks: ``python3 hacking/dev.py bench [grid|forms|export ...] [-- ARGS]``.

Each benchmark is a script hacking/bench_<name>.py that prints its figures. Without a name, all run.
"""

from __future__ import annotations

import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
NAMES = sorted(name[6:-3] for name in os.listdir(HERE) if name.startswith("bench_") and name.endswith(".py"))


def main(argv):
    if "--" in argv:
        argv, extra = argv[: argv.index("--")], argv[argv.index("--") + 1 :]
    else:
        extra = [a for a in argv if a.startswith("-")]
        argv = [a for a in argv if not a.startswith("-")]
    names = [a for a in argv if a in NAMES]
    unknown = [a for a in argv if a not in NAMES]
    if unknown:
        print("unknown benchmark(s) %s; choose from %s" % (", ".join(unknown), ", ".join(NAMES)))
        return 2
    code = 0
    for name in names or NAMES:
        print("\n#### bench_%s.py %s" % (name, " ".join(extra)), flush=True)
        code |= subprocess.call([sys.executable, os.path.join(HERE, "bench_%s.py" % name)] + extra)
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
