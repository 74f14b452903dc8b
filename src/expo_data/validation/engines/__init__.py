"""The validation engines: fast (Arrow), duckdb (SQL keys), frictionless (the reference), Parquet."""
