"""Descriptor profiles, checked without asking anyone: the spec's own ship with expo-data.

A descriptor's `profile` may name a JSON Schema that the descriptor must satisfy, by name
(`tabular-data-package`…), by URL or by path, and frictionless-py fetches or reads any URL
or path it is given. Inside `guarded()` it does not: the Data Package v1 profiles, by URL,
are validated against the copies in `jsonschemas/`; a v2 profile URL
(`https://datapackage.org/profiles/2.x/…`) is left to frictionless' built-in checks, which
know v2; a profile file inside the package is read from there; anything else (another URL,
a file outside the package) is fetched or read only when trusted, bounded in size and time,
and otherwise reported by `findings()` as an `unsafe-path`. `$schema` is never fetched.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

from ..errors import PackageError
from ..model.paths import is_remote, resolve_path
from . import catalogue as c
from .catalogue import finding
from .report import Finding

#: the v1 profiles by every URL they were published at, and the file that holds each
SPECS = "https://specs.frictionlessdata.io/schemas/"
DATAPACKAGE_V1 = "https://datapackage.org/profiles/1.0/"
SHIPPED = {
    "data-package": ("data-package", "datapackage"),
    "tabular-data-package": ("tabular-data-package", "tabulardatapackage"),
    "data-resource": ("data-resource", "dataresource"),
    "tabular-data-resource": ("tabular-data-resource", "tabulardataresource"),
}
KNOWN_URLS = {
    f"{base}{name}.json": profile
    for profile, names in SHIPPED.items()
    for base, name in ((SPECS, names[0]), (DATAPACKAGE_V1, names[1]))
}
V2 = re.compile(r"datapackage\.org/profiles/2\.\d+/[a-z]+\.json")
#: the largest profile read, and the longest a trusted fetch may take (seconds)
LIMIT = 4 << 20
DEADLINE = 30.0
TIMEOUT = (10, 10)

_STATE: ContextVar[tuple[bool, Path] | None] = ContextVar("expo_data_profiles", default=None)


def _url(value: str) -> str:
    return "https://" + value.split("://", 1)[1] if value.startswith("http://") else value


@cache
def shipped(profile: str) -> dict[str, Any]:
    """The JSON Schema of a v1 profile (`data-package`, `tabular-data-resource`…)."""
    text = files(__package__).joinpath("jsonschemas", f"{profile}.json").read_text("utf-8")
    return json.loads(text)


def _declared(descriptor: dict) -> Iterator[tuple[str, object]]:
    """(resource name or "", profile) for the package and each resource that declares one."""
    if "profile" in descriptor:
        yield "", descriptor["profile"]
    for resource in descriptor.get("resources") or []:
        if isinstance(resource, dict) and "profile" in resource:
            yield str(resource.get("name", "")), resource["profile"]


def _needs_consent(value: str) -> bool:
    url = _url(value)
    return value not in SHIPPED and url not in KNOWN_URLS and not V2.search(url)


def self_contained(descriptor: dict) -> bool:
    """Whether every profile the descriptor declares is one whose text nothing outside holds
    (a v1 profile shipped here, a v2 one frictionless knows): its check reads no file or URL."""
    return all(isinstance(v, str) and not _needs_consent(v) for _, v in _declared(descriptor))


def findings(descriptor: dict, basepath: Path, where: str, *, trusted: bool) -> list[Finding]:
    """An `unsafe-path` finding for each profile that would need fetching or reading outside."""
    if trusted:
        return []
    out = []
    for resource, value in _declared(descriptor):
        if not isinstance(value, str) or not _needs_consent(value):
            continue
        if is_remote(value):
            message = (
                f"profile {value!r} is remote and was not fetched; pass trusted=True "
                "(--allow-remote) to check the descriptor against it"
            )
        else:
            try:
                resolve_path(basepath, value)
                continue  # a file of the package: read from there
            except PackageError as exc:
                message = f"profile {value!r} was not read: {exc}"
        out.append(finding(c.UNSAFE_PATH, resource, path=where, note=message))
    return out


@contextmanager
def guarded(basepath: Path, *, trusted: bool) -> Iterator[None]:
    """Within: frictionless resolves profiles as this module says (see its docstring)."""
    _install()
    token = _STATE.set((trusted, Path(basepath)))
    try:
        yield
    finally:
        _STATE.reset(token)


@cache
def _install() -> None:
    """Route frictionless' profile validation through `_resolve` (only inside `guarded`)."""
    from frictionless.metadata.metadata import Metadata

    original = Metadata.__dict__["metadata_validate"].__func__

    def metadata_validate(cls, descriptor, *, profile=None, **options):  # type: ignore[no-untyped-def]
        state = _STATE.get()
        if state is not None and isinstance(profile, str):
            error = options.get("error_class") or cls.metadata_Error
            profile = _resolve(profile, *state, error)
            if profile is None:
                return
            descriptor = _named(descriptor)
        yield from original(cls, descriptor, profile=profile, **options)

    Metadata.metadata_validate = classmethod(metadata_validate)


def _resolve(value: str, trusted: bool, basepath: Path, error: Any) -> dict | None:
    """The JSON Schema `value` names, or None to leave it unchecked (reported by findings)."""
    url = _url(value)
    if value in SHIPPED or url in KNOWN_URLS:
        return shipped(KNOWN_URLS.get(url, value))
    if V2.search(url):
        return None  # frictionless' own profiles check v2 descriptors
    try:
        if is_remote(value):
            if not trusted:
                return None
            schema = json.loads(_fetch(value))
        else:
            try:
                path = resolve_path(basepath, value, trusted=trusted)
            except PackageError:
                return None
            with open(path, "rb") as stream:
                data = stream.read(LIMIT + 1)
            if len(data) > LIMIT:
                raise ValueError(f"larger than {LIMIT} bytes")
            schema = json.loads(data)
        if not isinstance(schema, dict):
            raise ValueError("not a JSON object")
    except (OSError, ValueError, RecursionError) as exc:
        raise _failure(error, f'cannot retrieve metadata "{value}" because "{exc}"') from None
    if not trusted and _refers_outside(schema):
        raise _failure(
            error,
            f'profile "{value}" refers to other files ("$ref"); they were not fetched: pass '
            "trusted=True (--allow-remote) to allow it",
        )
    return schema


def _named(descriptor: dict) -> dict:
    """The descriptor with each v1 profile URL (its own, its resources') as the profile's name.

    A profile is a name or a URL (the spec); the v1 JSON Schemas only accept the name.
    """

    def name(node: object) -> object:
        if isinstance(node, dict) and isinstance(node.get("profile"), str):
            return node | {"profile": KNOWN_URLS.get(_url(node["profile"]), node["profile"])}
        return node

    named = name(descriptor)
    if isinstance(named, dict) and isinstance(named.get("resources"), list):
        named = named | {"resources": [name(r) for r in named["resources"]]}
    return named


def _failure(error: Any, note: str) -> Exception:
    from frictionless import FrictionlessException

    return FrictionlessException(error(note=note))


def _refers_outside(node: object) -> bool:
    """Whether a JSON Schema has a `$ref` to anything but itself."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and not ref.startswith("#"):
            return True
        return any(_refers_outside(v) for v in node.values())
    if isinstance(node, list):
        return any(_refers_outside(v) for v in node)
    return False


def _fetch(url: str) -> bytes:
    """A trusted profile URL's body: at most LIMIT bytes within DEADLINE seconds."""
    import requests
    import urllib3

    ends, body = time.monotonic() + DEADLINE, bytearray()
    try:
        with requests.get(url, stream=True, timeout=TIMEOUT) as response:
            response.raise_for_status()
            while chunk := response.raw.read1(1 << 16, decode_content=True):
                body += chunk
                if len(body) > LIMIT:
                    raise ValueError(f"larger than {LIMIT} bytes")
                if time.monotonic() > ends:
                    raise ValueError(f"took longer than {DEADLINE:.0f} s")
    except (requests.RequestException, urllib3.exceptions.HTTPError) as exc:
        raise OSError(str(exc)) from None
    return bytes(body)
