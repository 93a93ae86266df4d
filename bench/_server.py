"""A minimal keep-alive HTTP/1.1 server on loopback that answers from a table of bytes.

Benchmarks measure the client, so the server must cost as little and as
evenly as possible: it parses only the request line and headers, and writes
a precomputed response.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["serve_bytes"]


def _response(body: bytes) -> bytes:
    head = (
        "HTTP/1.1 200 OK\r\n"
        "Content-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n"
        "X-Request-ID: req_bench\r\n"
        "\r\n"
    )
    return head.encode() + body


def _handle(conn: socket.socket, routes: dict[str, bytes]) -> None:
    buffer = b""
    with conn:
        while True:
            while b"\r\n\r\n" not in buffer:
                chunk = conn.recv(65536)
                if not chunk:
                    return
                buffer += chunk
            head, _, buffer = buffer.partition(b"\r\n\r\n")
            lines = head.split(b"\r\n")
            path = lines[0].split(b" ")[1].decode().split("?")[0]
            length = 0
            for line in lines[1:]:
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            while len(buffer) < length:
                buffer += conn.recv(65536)
            buffer = buffer[length:]
            conn.sendall(routes.get(path) or _response(b'{"detail":"not found"}'))


@contextmanager
def serve_bytes(routes: dict[str, bytes]) -> Iterator[str]:
    """Serve ``path → JSON body`` on 127.0.0.1; yields the base URL."""
    prepared = {path: _response(body) for path, body in routes.items()}
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    port = listener.getsockname()[1]
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            threading.Thread(target=_handle, args=(conn, prepared), daemon=True).start()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stop.set()
        listener.close()


async def _serve_async(routes: dict[str, bytes]) -> None:
    """The same table on an asyncio server (one process, no thread per connection):
    cheap per request at high concurrency, for the async benchmark."""
    import asyncio
    import sys

    prepared = {path: _response(body) for path, body in routes.items()}
    missing = _response(b'{"detail":"not found"}')

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        sock = writer.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.split(b"\r\n")
                path = lines[0].split(b" ")[1].decode().split("?")[0]
                for line in lines[1:]:
                    if line.lower().startswith(b"content-length:"):
                        await reader.readexactly(int(line.split(b":")[1]))
                writer.write(prepared.get(path) or missing)
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0, backlog=256)
    port = server.sockets[0].getsockname()[1]
    print(f"http://127.0.0.1:{port}", flush=True)
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, sys.stdin.read)  # until the benchmark closes stdin
    server.close()


@contextmanager
def serve_bytes_in_process(script: str) -> Iterator[str]:
    """Run ``script --serve`` (which calls ``serve_async_forever``) in its own process."""
    import subprocess
    import sys

    server = subprocess.Popen(
        [sys.executable, script, "--serve"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        yield server.stdout.readline().strip()
    finally:
        assert server.stdin is not None
        server.stdin.close()
        server.wait(timeout=10)


def serve_async_forever(routes: dict[str, bytes]) -> None:
    """The server process's body: serve ``routes`` until stdin closes."""
    import asyncio

    asyncio.run(_serve_async(routes))
