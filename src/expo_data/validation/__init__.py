"""Validating packages: the engines, their checks, findings and the report renderers."""
