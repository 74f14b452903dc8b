"""The package model: where a package is (folder, release, cache, bundle) and its descriptor."""
