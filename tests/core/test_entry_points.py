"""The fast entry-point scan agrees with importlib.metadata, and falls back when it must."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from flow_sdk import _entry_points
from flow_sdk._entry_points import _fast_scan, _slow_scan, scan_entry_points
from hypothesis import given
from hypothesis import strategies as st


@pytest.mark.parametrize("group", ["flow_sdk.plugins", "pytest11", "console_scripts"])
def test_fast_scan_lists_what_importlib_metadata_lists(group: str) -> None:
    assert sorted(_fast_scan(group)) == sorted(_slow_scan(group))


def _dist(root: Path, name: str, version: str, entry_points: str) -> None:
    info = root / f"{name.replace('-', '_')}-{version}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n\nName: not-a-header\n"
    )
    (info / "entry_points.txt").write_text(entry_points)


def test_reads_only_the_group_and_skips_comments(tmp_path: Path, monkeypatch) -> None:
    _dist(
        tmp_path,
        "flow-sdk-x",
        "1.2.3",
        "[console_scripts]\nx = x:main\n\n# comment\n[flow_sdk.plugins]\n"
        "; another comment\nx = flow_sdk_x.plugin\n y2 = flow_sdk_x.other:hooks \n",
    )
    monkeypatch.setattr(sys, "path", [str(tmp_path)])
    assert sorted(scan_entry_points("flow_sdk.plugins")) == [
        ("x", "flow_sdk_x.plugin", "flow-sdk-x", "1.2.3"),
        ("y2", "flow_sdk_x.other:hooks", "flow-sdk-x", "1.2.3"),
    ]


def test_an_earlier_path_entry_shadows_a_later_one(tmp_path: Path, monkeypatch) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    _dist(first, "flow-sdk-x", "2.0", "[flow_sdk.plugins]\nx = new.plugin\n")
    _dist(second, "flow-sdk-x", "1.0", "[flow_sdk.plugins]\nx = old.plugin\n")
    monkeypatch.setattr(sys, "path", [str(first), str(second)])
    assert scan_entry_points("flow_sdk.plugins") == [("x", "new.plugin", "flow-sdk-x", "2.0")]


def test_legacy_layouts_fall_back_to_importlib_metadata(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "legacy.egg-info").mkdir()
    monkeypatch.setattr(sys, "path", [str(tmp_path)])
    calls = []
    monkeypatch.setattr(_entry_points, "_slow_scan", lambda group: calls.append(group) or [])
    assert scan_entry_points("flow_sdk.plugins") == []
    assert calls == ["flow_sdk.plugins"]


names = st.from_regex(r"[a-z][a-z0-9_]{0,12}", fullmatch=True)
values = st.from_regex(
    r"[a-z][a-z0-9_]{0,8}(\.[a-z][a-z0-9_]{0,8}){0,2}(:[a-z_]{1,8})?", fullmatch=True
)


@given(entries=st.dictionaries(names, values, max_size=6))
def test_any_entry_points_file_reads_like_importlib_metadata(entries: dict[str, str]) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        body = "".join(f"{k} = {v}\n" for k, v in entries.items())
        _dist(Path(tmp), "flow-sdk-prop", "0.1", f"[other]\nz = z\n[flow_sdk.plugins]\n{body}")
        saved = sys.path[:]
        sys.path[:] = [tmp]
        try:
            assert sorted(_fast_scan("flow_sdk.plugins")) == sorted(_slow_scan("flow_sdk.plugins"))
        finally:
            sys.path[:] = saved
