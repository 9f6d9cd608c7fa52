#!/usr/bin/env python
"""Python interpreter wrapper for benchmarks: runs the real interpreter and
appends the child's peak resident set size (KiB) to MIPCONNECT_BENCH_RSS_FILE."""
import os
import resource
import subprocess
import sys

code = subprocess.call([os.environ["MIPCONNECT_BENCH_PYTHON"]] + sys.argv[1:])
with open(os.environ["MIPCONNECT_BENCH_RSS_FILE"], "a") as handle:
    handle.write("%d\n" % resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
sys.exit(code)
