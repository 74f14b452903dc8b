"""The source layer: a resource, whatever its form, as a stream of bytes and of string cells."""
