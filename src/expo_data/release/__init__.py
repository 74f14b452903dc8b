"""Releases: building checksummed Parquet releases of a package."""
