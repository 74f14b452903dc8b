"""Reading tables: the one cell grammar, CSV and Parquet files into Arrow, then pandas."""
