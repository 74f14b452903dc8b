"""Authoring packages: a descriptor inferred from a folder of CSV files."""
