"""The static site: a self-contained, browsable HTML rendering of a data package."""
