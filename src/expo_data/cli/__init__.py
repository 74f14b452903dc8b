"""The `expo-data` command line: thin commands over the library, one module per group."""

from . import browse, check, diff, docs, releases, site, sql  # each registers its commands on `app`
from .app import app, main

__all__ = ["app", "browse", "check", "diff", "docs", "main", "releases", "site", "sql"]
