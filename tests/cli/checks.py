"""Counting checks for the command-line test scripts, closed by the plain
'N passed, N failed' line that CTest and CI read."""
import sys

_counts = {"passed": 0, "failed": 0}


def check(ok, what):
    """Counts a check; prints what failed."""
    if ok:
        _counts["passed"] += 1
    else:
        _counts["failed"] += 1
        print("FAILED:", what)


def finish():
    """Prints the totals and exits non-zero if anything failed."""
    print("%d passed, %d failed" % (_counts["passed"], _counts["failed"]))
    sys.exit(1 if _counts["failed"] else 0)
