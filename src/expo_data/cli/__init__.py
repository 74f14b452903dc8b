"""The `expo-data` command line: thin commands over the library, one module per group."""

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
