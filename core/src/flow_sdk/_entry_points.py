"""Reading entry points straight from installed metadata.

``importlib.metadata`` parses every distribution's metadata and imports the
email, zipfile and csv machinery; that is a large share of a client's start-up.
The SDK needs only one group, so it scans each ``sys.path`` directory's
``*.dist-info/entry_points.txt`` for that section and reads the name and
version of just the distributions that have it. Anything unusual (a zip on
``sys.path``, a legacy egg) falls back to ``importlib.metadata``.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator

__all__ = ["EntryPointRecord", "scan_entry_points"]

EntryPointRecord = tuple[str, str, str | None, str | None]
"""(entry point name, value, distribution name, version)."""


def _normalise(name: str) -> str:
    return name.replace("-", "_").replace(".", "_").lower()


def _section(text: str, group: str) -> Iterator[tuple[str, str]]:
    inside = False
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            inside = line == f"[{group}]"
            continue
        if inside and "=" in line:
            name, _, value = line.partition("=")
            yield name.strip(), value.strip()


def _name_and_version(dist_dir: str) -> tuple[str | None, str | None]:
    name = version = None
    try:
        with open(os.path.join(dist_dir, "METADATA"), encoding="utf-8") as handle:
            for line in handle:
                if not line.strip():
                    break  # end of the headers
                if line.startswith("Name:"):
                    name = line[5:].strip()
                elif line.startswith("Version:"):
                    version = line[8:].strip()
                if name and version:
                    break
    except OSError:
        return None, None
    return name, version


class _Unusual(Exception):
    """The fast scan met something only importlib.metadata handles."""


def _fast_scan(group: str) -> list[EntryPointRecord]:
    records: list[EntryPointRecord] = []
    seen: set[str] = set()
    for entry in sys.path:
        directory = entry or "."
        if os.path.isfile(directory):
            raise _Unusual(directory)  # a zip archive on sys.path
        try:
            names = sorted(os.listdir(directory))
        except OSError:
            continue
        for name in names:
            if name.endswith(".egg-info") or name.endswith(".egg"):
                raise _Unusual(name)
            if not name.endswith(".dist-info"):
                continue
            key = _normalise(name[: -len(".dist-info")].partition("-")[0])
            if key in seen:
                continue  # an earlier sys.path entry shadows this distribution
            seen.add(key)
            dist_dir = os.path.join(directory, name)
            try:
                with open(os.path.join(dist_dir, "entry_points.txt"), encoding="utf-8") as f:
                    text = f.read()
            except OSError:
                continue
            if f"[{group}]" not in text:
                continue
            dist_name, version = _name_and_version(dist_dir)
            for ep_name, value in _section(text, group):
                records.append((ep_name, value, dist_name, version))
    return records


def _slow_scan(group: str) -> list[EntryPointRecord]:
    from importlib.metadata import entry_points

    records: list[EntryPointRecord] = []
    for ep in entry_points(group=group):
        dist = getattr(ep, "dist", None)
        records.append(
            (
                ep.name,
                ep.value,
                dist.metadata["Name"] if dist is not None else None,
                dist.version if dist is not None else None,
            )
        )
    return records


def scan_entry_points(group: str) -> list[EntryPointRecord]:
    """Every entry point of ``group`` on ``sys.path``, as importlib.metadata would list it."""
    try:
        return _fast_scan(group)
    except _Unusual:
        return _slow_scan(group)
