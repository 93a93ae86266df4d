"""``flow datasets upload|append|rows`` as a person and a script see them: a progress
bar on a terminal only, an interrupted upload that says how to resume (and resuming
stores no row twice), and ``rows --jsonl`` streamed page by page."""

from __future__ import annotations

import io
import json
import os
import shlex
import signal
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flow_sdk.cli import CLISettings, main

SCHEMA = '--set=schema={"columns": [{"name": "id", "type": "integer", "required": true}]}'


def _dataset(handle: Any, schema: Any = None) -> str:
    return str(handle.client().datasets.create(name="orders", schema=schema).id)


def _rows_file(tmp_path: Path, count: int, name: str = "rows.jsonl") -> Path:
    path = tmp_path / name
    path.write_text("".join(f'{{"id": {i}, "pad": "{"x" * 40}"}}\n' for i in range(count)))
    return path


def _stored_ids(handle: Any, dataset_id: str) -> list[int]:
    return [row["id"] for row in handle.client().datasets.iter_rows(dataset_id)]


# progress: on a terminal only


def test_upload_shows_a_bar_on_a_terminal(
    flow_process: Any, tmp_path: Path, terminal_lines: Callable[[str], list[str]]
) -> None:
    dataset_id = _dataset(flow_process.handle)
    path = _rows_file(tmp_path, 3000)
    flow_process.handle.inject_faults("delay", delay_s=0.02, path_prefix="/api/", methods=["POST"])
    run = flow_process(
        "datasets", "upload", dataset_id, str(path), "--batch-size", "100", terminal=True
    )
    assert run.code == 0, run.err
    assert json.loads(run.out)["rows"] == 3000
    bars = [line for line in terminal_lines(run.err) if line.startswith("uploading")]
    assert bars, run.err
    # a percentage, bytes read of the file's size, a rate and the time left
    size_kb = path.stat().st_size / 1000
    assert any("%" in bar and "kB/s" in bar and "left" in bar for bar in bars), bars
    assert any(f"/{size_kb:,.0f} kB" in bar or f"/{size_kb:,.1f} kB" in bar for bar in bars), bars
    assert "\x1b[K" in run.err  # the bar is redrawn in place, then erased
    assert not terminal_lines(run.err.rsplit("\x1b[K", 1)[1])  # nothing left after it


def test_upload_into_a_pipe_writes_nothing_on_stderr(flow_process: Any, tmp_path: Path) -> None:
    dataset_id = _dataset(flow_process.handle)
    path = _rows_file(tmp_path, 300)
    run = flow_process("datasets", "upload", dataset_id, str(path), "--batch-size", "100")
    assert run.code == 0, run.err
    assert run.err == ""
    assert json.loads(run.out) == {
        "rows": 300,
        "batches": 3,
        "bytes": json.loads(run.out)["bytes"],
        "row_count": 300,
    }


def test_quiet_hides_the_bar_on_a_terminal(
    flow_process: Any, tmp_path: Path, terminal_lines: Callable[[str], list[str]]
) -> None:
    dataset_id = _dataset(flow_process.handle)
    path = _rows_file(tmp_path, 300)
    run = flow_process(
        "datasets", "upload", dataset_id, str(path), "--batch-size", "100", "--quiet", terminal=True
    )
    assert run.code == 0, run.err
    assert terminal_lines(run.err) == []


def test_append_from_standard_input_counts_rows_on_a_terminal(
    flow_process: Any, tmp_path: Path, terminal_lines: Callable[[str], list[str]]
) -> None:
    dataset_id = _dataset(flow_process.handle)
    path = _rows_file(tmp_path, 500)
    with path.open("rb") as stdin:
        process, master = flow_process.start(
            "datasets", "append", dataset_id, "--batch-size", "100", terminal=True, stdin=stdin
        )
        run = flow_process.finish(process, master)
    assert run.code == 0, run.err
    bars = [line for line in terminal_lines(run.err) if line.startswith("appending")]
    assert any("rows" in bar and "rows/s" in bar for bar in bars), run.err
    assert _stored_ids(flow_process.handle, dataset_id) == list(range(500))


def test_the_bar_shows_bytes_of_a_csv_file_too(
    flow_process: Any, tmp_path: Path, terminal_lines: Callable[[str], list[str]]
) -> None:
    dataset_id = _dataset(flow_process.handle, [{"name": "id", "type": "integer"}])
    path = tmp_path / "rows.csv"
    path.write_text("id\n" + "".join(f"{i}\n" for i in range(2000)))
    run = flow_process(
        "datasets", "upload", dataset_id, str(path), "--batch-size", "500", terminal=True
    )
    assert run.code == 0, run.err
    assert any("%" in line for line in terminal_lines(run.err) if line.startswith("uploading"))
    assert _stored_ids(flow_process.handle, dataset_id) == list(range(2000))


# resumable uploads


def test_an_interrupted_upload_says_what_was_stored_and_how_to_resume(
    flow_process: Any, tmp_path: Path
) -> None:
    handle = flow_process.handle
    dataset_id = _dataset(handle)
    path = _rows_file(tmp_path, 2000)
    # each batch takes a while, so Ctrl-C lands in the middle of the upload
    handle.inject_faults("delay", delay_s=0.05, path_prefix="/api/", methods=["POST"])
    process, _ = flow_process.start(
        "datasets", "upload", dataset_id, str(path), "--batch-size", "20"
    )
    deadline = time.monotonic() + 60
    while handle.client().datasets.get(dataset_id).row_count < 200:
        assert process.poll() is None, "the upload ended before it was interrupted"
        assert time.monotonic() < deadline
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    run = flow_process.finish(process, None)
    assert run.code == 130, run.err
    lines = run.err.splitlines()
    assert lines[0].startswith("warning: interrupted: "), run.err
    stored = int(lines[0].split("interrupted: ", 1)[1].split(" row", 1)[0].replace(",", ""))
    assert 200 <= stored < 2000
    assert stored % 20 == 0
    assert f"({stored // 20} batches)" in lines[0]
    assert "to upload the rest (no row is stored twice), run:" in lines[0]
    command = lines[1].strip()
    argv = shlex.split(command)
    assert argv[:5] == ["flow", "datasets", "upload", dataset_id, str(path)]
    assert argv[5:7] == ["--batch-size", "20"]
    assert argv[7] == "--idempotency-key"
    assert argv[8].startswith("upload-")
    assert "Traceback" not in run.err

    handle.wait_idle()
    handle.clear_faults()
    time.sleep(0.2)  # a batch in flight when interrupted may still land: it is stored once
    resumed = flow_process(*argv[1:])
    assert resumed.code == 0, resumed.err
    assert json.loads(resumed.out)["row_count"] == 2000
    assert _stored_ids(handle, dataset_id) == list(range(2000))  # each row exactly once


def test_running_the_same_upload_again_stores_nothing_twice(
    flow_process: Any, tmp_path: Path
) -> None:
    handle = flow_process.handle
    dataset_id = _dataset(handle)
    path = _rows_file(tmp_path, 250)
    for _ in range(2):
        run = flow_process("datasets", "upload", dataset_id, str(path), "--batch-size", "100")
        assert run.code == 0, run.err
        assert json.loads(run.out)["row_count"] == 250
    # a changed file is new rows: its key is another one
    with path.open("a") as more:
        more.write('{"id": 250}\n')
    os.utime(path, ns=(time.time_ns(), time.time_ns() + 1_000_000_000))
    run = flow_process("datasets", "upload", dataset_id, str(path), "--batch-size", "100")
    assert run.code == 0, run.err
    assert json.loads(run.out)["row_count"] == 501
    # an explicit new key appends the same rows on purpose
    run = flow_process(
        "datasets",
        "upload",
        dataset_id,
        str(path),
        "--batch-size",
        "100",
        "--idempotency-key",
        "again",
    )
    assert json.loads(run.out)["row_count"] == 752


def test_the_default_key_depends_on_the_file_the_dataset_and_the_batches(tmp_path: Path) -> None:
    from flow_sdk_datasets.cli import resume_key

    path = _rows_file(tmp_path, 3)
    key = resume_key(path, "ds_1", "jsonl", 1000)
    assert key == resume_key(Path(os.path.relpath(path)), "ds_1", "jsonl", 1000)
    assert key.startswith("upload-")
    assert len(key) < 64
    assert key != resume_key(path, "ds_2", "jsonl", 1000)
    assert key != resume_key(path, "ds_1", "jsonl", 999)
    assert key != resume_key(path, "ds_1", "csv", 1000)
    path.write_text(path.read_text() + '{"id": 3}\n')
    assert key != resume_key(path, "ds_1", "jsonl", 1000)


class InterruptedInput(io.TextIOBase):
    """Standard input that Ctrl-C interrupts after ``lines`` lines."""

    def __init__(self, text: str, lines: int) -> None:
        self._lines = text.splitlines(keepends=True)
        self._stop = lines

    def __iter__(self) -> Iterator[str]:
        for index, line in enumerate(self._lines):
            if index == self._stop:
                raise KeyboardInterrupt
            yield line

    def readable(self) -> bool:
        return True


def _flow(local_platform: Any, argv: list[str], stdin: Any) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    environ = {
        **os.environ,
        "FLOW_PLATFORM_URL": local_platform.url,
        "FLOW_API_KEY": local_platform.api_key,
        "FLOW_ORG_ID": local_platform.org_id,
        "FLOW_WORKSPACE_ID": local_platform.workspace_id,
    }
    settings = CLISettings(environ=environ, stdin=stdin, stdout=out, stderr=err)
    return main(argv, settings=settings), out.getvalue(), err.getvalue()


@pytest.mark.usefixtures("flow_config_dir")
def test_an_interrupted_append_from_standard_input_resumes_with_the_same_input(
    local_platform: Any,
) -> None:
    dataset_id = _dataset(local_platform)
    text = "".join(f'{{"id": {i}}}\n' for i in range(100))
    code, out, err = _flow(
        local_platform,
        ["datasets", "append", dataset_id, "--batch-size", "10"],
        InterruptedInput(text, 35),
    )
    assert code == 130
    assert out == ""
    first, command = err.splitlines()
    assert first == (
        "warning: interrupted: 30 rows stored (3 batches); to append the rest "
        "(with the same standard input, no row is stored twice), run:"
    )
    argv = shlex.split(command)
    assert argv[:6] == ["flow", "datasets", "append", dataset_id, "--batch-size", "10"]
    assert argv[6] == "--idempotency-key"
    assert _stored_ids(local_platform, dataset_id) == list(range(30))

    code, out, err = _flow(local_platform, argv[1:], io.StringIO(text))
    assert code == 0, err
    assert json.loads(out)["row_count"] == 100
    assert _stored_ids(local_platform, dataset_id) == list(range(100))


@pytest.mark.usefixtures("flow_config_dir")
def test_the_resume_command_keeps_the_global_options(local_platform: Any, tmp_path: Path) -> None:
    dataset_id = _dataset(local_platform)
    text = "".join(f'{{"id": {i}}}\n' for i in range(20))
    code, _, err = _flow(
        local_platform,
        [
            "--platform-url",
            local_platform.url,
            "datasets",
            "append",
            dataset_id,
            "--batch-size",
            "5",
            "--idempotency-key",
            "mine 1",
        ],
        InterruptedInput(text, 7),
    )
    assert code == 130
    command = err.splitlines()[1].strip()
    assert shlex.split(command) == [
        "flow",
        "--platform-url",
        local_platform.url,
        "datasets",
        "append",
        dataset_id,
        "--batch-size",
        "5",
        "--idempotency-key",
        "mine 1",
    ]


# rows, streamed


@pytest.mark.usefixtures("flow_config_dir")
def test_rows_all_jsonl_answers_after_the_first_page(local_platform: Any) -> None:
    from flow_sdk_datasets.namespace import MAX_ROWS_PAGE_SIZE

    dataset_id = _dataset(local_platform)
    total = 2 * MAX_ROWS_PAGE_SIZE + 10
    local_platform.client().datasets.append_rows(
        dataset_id, ({"id": i} for i in range(total)), batch_size=10_000
    )
    platform = local_platform.platform
    requests: list[str] = []
    handle = platform.handle

    def counting(method: str, path: str, *args: Any, **kwargs: Any) -> Any:
        requests.append(path)
        return handle(method, path, *args, **kwargs)

    platform.handle = counting

    class Head(io.StringIO):
        """``| head -2``: the reader goes away after two lines."""

        def write(self, text: str) -> int:
            if self.getvalue().count("\n") >= 2:
                raise BrokenPipeError
            return super().write(text)

    out = Head()
    environ = {
        **os.environ,
        "FLOW_PLATFORM_URL": local_platform.url,
        "FLOW_API_KEY": local_platform.api_key,
        "FLOW_ORG_ID": local_platform.org_id,
        "FLOW_WORKSPACE_ID": local_platform.workspace_id,
    }
    try:
        code = main(
            ["datasets", "rows", dataset_id, "--all", "--jsonl"],
            settings=CLISettings(environ=environ, stdout=out, stderr=io.StringIO()),
        )
    finally:
        del platform.handle
    assert code == 0
    assert [json.loads(line) for line in out.getvalue().splitlines()] == [{"id": 0}, {"id": 1}]
    assert len([p for p in requests if p.endswith("/rows")]) == 1  # one page of three


def test_rows_jsonl_with_a_limit_streams_and_says_there_are_more(
    flow_cli: Callable[..., Any],
) -> None:
    created = flow_cli("datasets", "create", "--set", "name=t", SCHEMA)
    dataset_id = created.json()["id"]
    lines = "".join(f'{{"id": {i}}}\n' for i in range(7))
    assert flow_cli("datasets", "append", dataset_id, stdin=lines).code == 0
    shown = flow_cli("datasets", "rows", dataset_id, "--limit", "5", "--jsonl")
    assert shown.code == 0
    assert shown.out.splitlines() == [json.dumps({"id": i}).replace(" ", "") for i in range(5)]
    assert "showing the first 5 rows" in shown.err
    everything = flow_cli("datasets", "rows", dataset_id, "--all", "--jsonl")
    assert len(everything.out.splitlines()) == 7
    assert everything.err == ""
    empty = flow_cli("datasets", "create", "--set", "name=e").json()["id"]
    none = flow_cli("datasets", "rows", empty, "--jsonl")
    assert (none.out, none.err) == ("", "no rows\n")
