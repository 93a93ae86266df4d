"""Where the local platform keeps connector files (SQLite databases given by relative path).

A file-backed platform ``NAME.sqlite3`` keeps them in ``NAME.connectors/``
beside it; an in-memory platform in a temporary directory removed with it.
Each scope has its own directory (``orgs/<org>/org`` or
``orgs/<org>/workspaces/<ws>``), so two tenants' ``app.db`` are different files.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
import weakref
from pathlib import Path
from typing import Any
from urllib.parse import quote

from ._catalog import SqliteLocation

__all__ = ["connectors_root", "remove_connector_files", "sqlite_location"]

_temp_roots: weakref.WeakKeyDictionary[Any, Path] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def connectors_root(platform: Any) -> Path:
    """The directory holding this platform's connector files (made on first use)."""
    store_path = getattr(platform, "path", None)
    if store_path is not None:
        path = Path(store_path)
        return path.parent / f"{path.stem}.connectors"
    with _lock:
        root = _temp_roots.get(platform)
        if root is None:
            root = Path(tempfile.mkdtemp(prefix="flow-local-connectors-"))
            _temp_roots[platform] = root
            weakref.finalize(platform, shutil.rmtree, str(root), True)
        return root


def _forbidden(platform: Any, root: Path) -> tuple[Path, ...]:
    store_path = getattr(platform, "path", None)
    if store_path is None:
        return (root,)
    store = Path(store_path)
    siblings = tuple(
        store.with_name(store.name + suffix) for suffix in ("-wal", "-shm", "-journal")
    )
    return (root, store, *siblings)


def sqlite_location(platform: Any, org_id: str, scope_type: str, scope_id: str) -> SqliteLocation:
    """The scope's own directory for relative paths, and what no absolute path may reach."""
    root = connectors_root(platform)
    scope_dir = root / "orgs" / quote(org_id, safe="")
    if scope_type == "org":
        scope_dir = scope_dir / "org"
    else:
        scope_dir = scope_dir / "workspaces" / quote(scope_id, safe="")
    return SqliteLocation(scope_dir, _forbidden(platform, root))


def remove_connector_files(platform: Any) -> None:
    """Delete every connector file of the platform (on ``/_local/reset``)."""
    root = connectors_root(platform)
    shutil.rmtree(root, ignore_errors=True)
