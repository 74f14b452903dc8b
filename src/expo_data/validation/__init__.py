"""Validating packages: `engine.validate` runs an engine (`engines/`) over the shared parts.

The parts: `catalogue` (every finding code once), `sources` (the one place data is read),
`scan` and `batch` (the single pass over a CSV and its per-batch checks), `keys` (the key
store, in memory or in SQL), `ordering` (findings in frictionless' order), `fixes` (how to
fix), `strict`, `checks` and `profiles` (the checks frictionless lacks), `combined` (one
engine's findings with the others'), `report` (findings as data, and their renderers).
"""
