"""Output in-process: colour choice, tables fitted to a width, readable timestamps,
JSON Lines streamed page by page, and the progress bar."""

from __future__ import annotations

import io
import json
import time
from typing import Any

import pytest
from flow_cli_fakes import FakePlatform, TTYStringIO
from flow_sdk.cli import Progress, ProgressBar
from flow_sdk.cli._output import fit_widths, format_record, format_table, readable_time
from flow_sdk.cli._terminal import display_width, shorten, wants_color


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


# colour


@pytest.mark.parametrize(
    ("tty", "env", "flag", "expected"),
    [
        (True, {}, False, True),
        (False, {}, False, False),  # a pipe or a file
        (True, {"NO_COLOR": "1"}, False, False),
        (True, {}, True, False),  # --no-color
        (True, {"TERM": "dumb"}, False, False),
        (False, {"FORCE_COLOR": "1"}, False, True),
        (False, {"FORCE_COLOR": "0"}, False, False),
        (True, {"FORCE_COLOR": "1", "NO_COLOR": "1"}, False, False),
        (True, {"FORCE_COLOR": "1"}, True, False),
    ],
)
def test_when_there_is_colour(tty: bool, env: dict[str, str], flag: bool, expected: bool) -> None:
    stream = TTYStringIO() if tty else io.StringIO()
    assert wants_color(stream, env, no_color=flag) is expected


def test_colour_in_a_command(flow: Any, logged_in: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR")
    table = flow("orgs", "list", tty=True)
    assert table.out.startswith("\x1b[1mCURRENT")
    assert "\x1b[" not in flow("orgs", "list", "--no-color", tty=True).out
    assert "\x1b[" not in flow("orgs", "list").out  # not a terminal: JSON, plain
    monkeypatch.setenv("FLOW_OUTPUT", "table")
    assert "\x1b[" not in flow("orgs", "list").out  # a table, still not a terminal


# tables


def test_a_table_fits_the_width_widest_column_first() -> None:
    rows = [
        {"id": "res_1", "name": "short", "description": "d" * 200},
        {"id": "res_2", "name": "a rather longer name", "description": "x"},
    ]
    text = format_table(rows, ("id", "name", "description"), width=50)
    lines = text.splitlines()
    assert all(display_width(line) <= 50 for line in lines), lines
    assert lines[2].startswith("res_2  a rather longer name")  # kept whole: the other was cut
    assert lines[1].endswith("…")
    assert fit_widths([5, 20, 200], 40) == [5, 18, 17]  # the widest two, cut alike
    assert fit_widths([30, 30, 30], 40) == [14, 13, 13]
    assert fit_widths([3, 4], 40) == [3, 4]
    assert sum(fit_widths([50] * 10, 20)) == 80  # nothing below 8 columns: it overflows


def test_wide_characters_count_two_columns() -> None:
    assert display_width("日本") == 4
    assert display_width("e\u0301") == 1  # e and a combining accent
    assert shorten("日本語のテキスト", 7) == "日本語…"
    text = format_table([{"name": "日本語のテキスト", "n": 1}], width=12)
    assert all(display_width(line) <= 12 for line in text.splitlines())


def test_timestamps_are_readable_on_a_terminal_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    try:
        stamp = "2026-12-06T18:03:12.123456+00:00"
        assert readable_time(stamp) == "2026-12-06 18:03"
        assert readable_time("2026-12-06T18:03:12Z", seconds=True) == "2026-12-06 18:03:12"
        assert readable_time("2026-12-06") is None  # a date is left as it is
        assert readable_time("v2026-12-06T18:03") is None
        monkeypatch.setenv("TZ", "Asia/Kolkata")
        time.tzset()
        assert readable_time(stamp) == "2026-12-06 23:33"  # local time
        rows = [{"id": "1", "updated_at": stamp}]
        assert "2026-12-06 23:33" in format_table(rows, width=80)
        assert stamp in format_table(rows)  # piped with FLOW_OUTPUT=table: as it came
        assert "2026-12-06 23:33:12" in format_record(rows[0], width=80)
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


def test_json_is_unchanged_on_a_terminal(flow: Any, logged_in: Any) -> None:
    created = flow("widgets", "create", "--set", "name=w", "--set", "at=2026-12-06T18:03:12.5Z")
    listed = flow("widgets", "list", "--json", tty=True).json()
    assert listed == [created.json()]
    assert listed[0]["at"] == "2026-12-06T18:03:12.5Z"


# JSON Lines


def _seed(platform: FakePlatform, count: int) -> None:
    items = platform.resources.setdefault(("org_dev", "ws_dev", "widgets"), {})
    for i in range(count):
        items[f"w{i:04d}"] = {"id": f"w{i:04d}", "name": f"n{i}", "version": 1, "history": []}


class CountingStdout(io.StringIO):
    """Records, for each line written, how many list requests the platform had had."""

    def __init__(self, platform: FakePlatform, stop_after: int | None = None) -> None:
        super().__init__()
        self.platform = platform
        self.seen: list[int] = []
        self.stop_after = stop_after

    def write(self, text: str) -> int:
        if self.stop_after is not None and len(self.seen) >= self.stop_after:
            raise BrokenPipeError(32, "Broken pipe")
        lists = sum(1 for r in self.platform.requests if r.url.path.endswith("/widgets"))
        self.seen += [lists] * text.count("\n")
        return super().write(text)


def test_jsonl_streams_page_by_page(flow: Any, platform: FakePlatform, logged_in: Any) -> None:
    _seed(platform, 1100)  # three pages of 500
    out = CountingStdout(platform)
    result = flow("widgets", "list", "--all", "--jsonl", stdout=out)
    assert result.code == 0, result.err
    lines = out.getvalue().splitlines()
    assert len(lines) == 1100
    assert [json.loads(line)["id"] for line in lines[:2]] == ["w0000", "w0001"]
    # the first line went out when one page had been fetched, the 501st after the second
    assert out.seen[0] == 1
    assert out.seen[500] == 2
    assert out.seen[-1] == 3


def test_jsonl_stops_fetching_when_the_reader_goes(
    flow: Any, platform: FakePlatform, logged_in: Any
) -> None:
    _seed(platform, 1100)
    out = CountingStdout(platform, stop_after=2)  # `| head -2`
    result = flow("widgets", "list", "--all", "--jsonl", stdout=out)
    assert result.code == 0
    assert result.err == ""
    assert sum(1 for r in platform.requests if r.url.path.endswith("/widgets")) == 1


def test_jsonl_with_a_limit_and_on_core_lists(
    flow: Any, platform: FakePlatform, logged_in: Any
) -> None:
    _seed(platform, 5)
    limited = flow("widgets", "list", "--limit", "2", "--jsonl")
    assert [json.loads(line)["id"] for line in limited.out.splitlines()] == ["w0000", "w0001"]
    assert "showing the first 2" in limited.err
    for argv in (["orgs", "list"], ["profiles", "list"], ["workspaces", "list"]):
        result = flow(*argv, "--jsonl", tty=True)
        assert result.code == 0, result.err
        assert all(json.loads(line) for line in result.out.splitlines()), result.out
    assert flow("widgets", "get", "w0001", "--jsonl").out.count("\n") == 1
    empty = flow("gadget-kits", "list", "--jsonl")
    assert (empty.out, empty.err) == ("", "no gadget kits\n")


# progress


def test_a_bar_with_a_total_shows_percent_rate_and_time_left() -> None:
    stream, clock = TTYStringIO(), Clock()
    progress = Progress(stream, width=70, clock=clock)
    with progress(total=200, unit="rows", description="appending") as bar:
        clock.now += 5
        bar.update(50)
        line = bar.render()
        assert line.startswith("appending  25% ")
        assert "50/200 rows  10.0 rows/s  0:15 left" in line
        assert "██" in line
        assert display_width(line) <= 70
        clock.now += 0.01
        bar.update(50)  # within 0.1 s of the last drawing: not drawn again
    assert stream.getvalue().count("\r\x1b[K") == 2  # drawn once, then cleared
    assert stream.getvalue().endswith("\r\x1b[K")


def test_a_bar_without_a_total_counts() -> None:
    clock = Clock()
    bar = Progress(TTYStringIO(), width=60, clock=clock).bar(unit="widgets")
    clock.now += 2
    bar.update(3000)
    assert bar.render() == "3,000 widgets  1,500 widgets/s  0:02"


def test_a_bar_is_shown_only_on_a_terminal_without_quiet() -> None:
    for progress in (Progress(io.StringIO()), Progress(TTYStringIO(), quiet=True)):
        with progress(total=3, unit="rows") as bar:
            bar.update(3)
        bar.close("finished")
        assert not bar.visible
        assert progress.stream.getvalue() == ""
    quiet = Progress(TTYStringIO(), quiet=True)
    quiet("a message")
    quiet.done("the end")
    assert quiet.stream.getvalue() == "the end\n"


def test_a_delayed_bar_stays_hidden_for_quick_work() -> None:
    clock = Clock()
    stream = TTYStringIO()
    bar = Progress(stream, clock=clock).bar(total=10, delay=0.5)
    bar.update(5)
    assert stream.getvalue() == ""
    clock.now += 1
    bar.update(1)
    assert "60%" in stream.getvalue()
    assert isinstance(bar, ProgressBar)


def test_messages_clear_the_progress_line() -> None:
    from flow_sdk.cli._output import Output

    err = TTYStringIO()
    progress = Progress(err)
    output = Output(io.StringIO(), err, json=False, progress=progress)
    progress("working")
    output.warning("careful")
    assert err.getvalue() == "\r\x1b[Kworking\r\x1b[Kwarning: careful\n"


def test_quiet_hides_a_command_s_progress(
    flow: Any, platform: FakePlatform, logged_in: Any
) -> None:
    _seed(platform, 3)
    shown = flow("widgets", "count")
    assert "counting" in shown.err
    quiet = flow("widgets", "count", "--quiet")
    assert quiet.code == 0
    assert "counting" not in quiet.err
