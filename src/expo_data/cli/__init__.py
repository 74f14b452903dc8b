"""The `expo-data` command line: thin commands over the library, one module per group."""

import os

# numpy's OpenBLAS starts a thread per core that spins for a while on import (~0.1 s of CPU
# the strict scan could use); the command line does no linear algebra
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

# each module registers its commands on `app`, in this order in `--help`
from . import browse, check

# isort: split
from . import author, diff, docs, releases, site, sql
from .app import app, main

__all__ = [
    "app",
    "author",
    "browse",
    "check",
    "diff",
    "docs",
    "main",
    "releases",
    "site",
    "sql",
]
