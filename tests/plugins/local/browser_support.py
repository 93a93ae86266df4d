"""A real headless chromium for tests, driven over the DevTools protocol.

The standard library only (no browser-automation dependency): :class:`DevTools`
speaks the protocol over its websocket, and the ``browser`` fixture starts
chromium with a fresh profile. Tests using it skip where chromium is not
installed (``apt-get install chromium``; ``.ci/run`` installs it).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import socket
import struct
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

__all__ = ["CHROMIUM", "FLAGS", "DevTools", "browser", "needs_chromium"]

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="needs chromium (apt-get install -y chromium)"
)

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)
_WEBSOCKET_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


class DevTools:
    """A minimal websocket client (RFC 6455: masked text frames out, fragments and pings
    in) speaking the DevTools protocol to one page: ``call(method, **params)``."""

    def __init__(self, url: str, timeout: float = 30.0) -> None:
        parts = urlsplit(url)
        self._sock = socket.create_connection((parts.hostname, parts.port), timeout=timeout)
        self._file = self._sock.makefile("rb")
        key = base64.b64encode(os.urandom(16)).decode()
        self._sock.sendall(
            (
                f"GET {parts.path} HTTP/1.1\r\nHost: {parts.netloc}\r\nUpgrade: websocket\r\n"
                f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                "Sec-WebSocket-Version: 13\r\n\r\n"
            ).encode()
        )
        status = self._file.readline()
        headers: dict[str, str] = {}
        while (line := self._file.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode().partition(":")
            headers[name.strip().lower()] = value.strip()
        assert b" 101 " in status, status
        accept = base64.b64encode(hashlib.sha1((key + _WEBSOCKET_GUID).encode()).digest())
        assert headers.get("sec-websocket-accept") == accept.decode()
        self._next_id = 0
        self.events: list[dict[str, Any]] = []

    def close(self) -> None:
        self._file.close()
        self._sock.close()

    def _send(self, payload: bytes, opcode: int = 0x1) -> None:
        mask = os.urandom(4)
        size = len(payload)
        if size < 126:
            head = struct.pack("!BB", 0x80 | opcode, 0x80 | size)
        elif size < 1 << 16:
            head = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, size)
        else:
            head = struct.pack("!BBQ", 0x80 | opcode, 0x80 | 127, size)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self._sock.sendall(head + mask + masked)

    def _read(self, count: int) -> bytes:
        data = self._file.read(count)
        if data is None or len(data) != count:
            raise ConnectionError("the browser closed the DevTools connection")
        return data

    def _message(self) -> dict[str, Any]:
        parts: list[bytes] = []
        while True:
            first, second = self._read(2)
            opcode, size = first & 0x0F, second & 0x7F
            if size == 126:
                (size,) = struct.unpack("!H", self._read(2))
            elif size == 127:
                (size,) = struct.unpack("!Q", self._read(8))
            payload = self._read(size)  # a server's frames are not masked
            if opcode == 0x9:  # ping
                self._send(payload, opcode=0xA)
                continue
            if opcode == 0x8:
                raise ConnectionError("the browser closed the DevTools connection")
            if opcode in (0x0, 0x1, 0x2):
                parts.append(payload)
                if first & 0x80:
                    message: dict[str, Any] = json.loads(b"".join(parts))
                    return message

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        """Send a command and return its result; events seen meanwhile go to ``events``."""
        self._next_id += 1
        ident = self._next_id
        self._send(json.dumps({"id": ident, "method": method, "params": params}).encode())
        while True:
            message = self._message()
            if message.get("id") == ident:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                result: dict[str, Any] = message.get("result", {})
                return result
            self.events.append(message)

    def wait_for(self, event: str, timeout: float = 30.0) -> dict[str, Any]:
        """The next ``event`` (one already seen first)."""
        deadline = time.monotonic() + timeout
        while True:
            for index, seen in enumerate(self.events):
                if seen.get("method") == event:
                    return self.events.pop(index)
            if time.monotonic() > deadline:
                raise TimeoutError(f"no {event} within {timeout} s")
            self.events.append(self._message())

    def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page."""
        answer = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        if "exceptionDetails" in answer:
            raise RuntimeError(f"{expression}: {answer['exceptionDetails']}")
        return answer["result"].get("value")

    def open(self, url: str) -> None:
        """Load ``url`` and wait until it has loaded."""
        self.events.clear()
        self.call("Page.navigate", url=url)
        self.wait_for("Page.loadEventFired")

    def click(self, selector: str) -> None:
        """Click the first element matching the CSS ``selector`` and wait for the page it
        leads to (a link, or a form's submit button)."""
        self.click_script(f"document.querySelector({selector!r})")

    def click_script(self, script: str) -> None:
        """Click the element the JavaScript expression ``script`` finds, and wait for the
        page it leads to (for what a selector cannot say: "the link in this section")."""
        self.events.clear()
        self.evaluate(f"({script}).click()")
        self.wait_for("Page.loadEventFired")

    def text(self, selector: str) -> Any:
        """The text of the first element matching ``selector`` (None when there is none)."""
        return self.evaluate(f"document.querySelector({selector!r})?.textContent")

    def inner_text(self, selector: str) -> Any:
        """The text of the first element matching ``selector`` as rendered (``innerText``:
        hidden parts left out, cells and blocks apart), None when there is none."""
        return self.evaluate(f"document.querySelector({selector!r})?.innerText")

    def texts(self, selector: str) -> Any:
        """The trimmed text of every element matching ``selector``."""
        return self.evaluate(
            f"[...document.querySelectorAll({selector!r})].map(e => e.textContent.trim())"
        )

    def headings(self, level: str = "h2") -> Any:
        """The text of every heading of ``level``, in order."""
        return self.texts(level)

    def screenshot(
        self, path: Path, *, width: int = 1000, height: int = 900, element: str = ""
    ) -> Path:
        """Save a PNG of the page at ``width`` by ``height`` (a phone below 600), or of the
        first ``element`` matching that selector wherever it is on the page, to ``path``,
        and a copy under ``$FLOW_TEST_ARTIFACTS/screenshots`` when that is set (CI keeps
        it); the page keeps that size afterwards."""
        self.call(
            "Emulation.setDeviceMetricsOverride",
            width=width,
            height=height,
            deviceScaleFactor=1,
            mobile=width < 600,
        )
        options: dict[str, Any] = {"format": "png"}
        if element:
            box = self.evaluate(
                f"(() => {{ const r = document.querySelector({element!r})"
                ".getBoundingClientRect(); return [r.x + scrollX, r.y + scrollY, r.width, "
                "r.height]; })()"
            )
            x, y, w, h = box
            options.update(
                clip={"x": x, "y": y, "width": w, "height": h, "scale": 1},
                captureBeyondViewport=True,
            )
        data = base64.b64decode(self.call("Page.captureScreenshot", **options)["data"])
        path.write_bytes(data)
        artifacts = os.environ.get("FLOW_TEST_ARTIFACTS")
        if artifacts:
            keep = Path(artifacts) / "screenshots"
            keep.mkdir(parents=True, exist_ok=True)
            (keep / f"{path.parent.name}-{path.name}").write_bytes(data)
        return path

    def fits(self, width: int) -> bool:
        """Whether nothing on the page is wider than ``width`` CSS pixels (no sideways
        scrolling on a phone)."""
        return bool(self.evaluate(f"document.documentElement.scrollWidth <= {width}"))


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[DevTools]:
    """A headless chromium with a fresh profile, driven over the DevTools protocol."""
    assert CHROMIUM is not None
    profile = tmp_path / "chromium-profile"
    process = subprocess.Popen(
        [
            CHROMIUM,
            *FLAGS,
            f"--user-data-dir={profile}",
            "--remote-debugging-address=127.0.0.1",
            "--remote-debugging-port=0",
            "about:blank",
        ],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    devtools: DevTools | None = None
    try:
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + 60
        while not (port_file.exists() and port_file.read_text().strip()):
            assert process.poll() is None, "chromium exited"
            assert time.monotonic() < deadline, "chromium did not open its DevTools port"
            time.sleep(0.05)
        port = int(port_file.read_text().split()[0])
        pages: list[dict[str, Any]] = []
        while not pages:
            targets = httpx.get(f"http://127.0.0.1:{port}/json/list", timeout=10).json()
            pages = [t for t in targets if t.get("type") == "page"]
            assert time.monotonic() < deadline, "chromium has no page"
        devtools = DevTools(pages[0]["webSocketDebuggerUrl"])
        devtools.call("Page.enable")
        devtools.call("Runtime.enable")
        yield devtools
    finally:
        if devtools is not None:
            devtools.close()
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=30)
