"""Run one phase of the SDK under an audit hook; report network and file-write events.

Run as a script in a fresh interpreter (``python audit_probe.py PHASE``) so
that nothing was imported before the hook is installed. It prints one JSON
document: ``{"events": [[event, detail], ...]}``; an empty list means the
phase made no network call, wrote no file and started no process.

Phases:
- ``import``: ``import flow_sdk`` and ``flow_sdk.cli``;
- ``construct``: every installed plugin loaded by ``CLIClient(config)`` for a
  remote https URL (with an API key, so the token machinery is built too),
  every namespace attribute resolved, the static-call plumbing and the CLI
  parser built;
- ``self-check``: writes a file, connects a socket and starts a process, to
  show the probe sees each of them;
- ``construct-local``: ``CLIClient(FlowConfig())`` on the default
  ``local://default`` platform: the platform is built on the first request,
  not by the constructor.
"""

from __future__ import annotations

import contextlib
import os
import sys

sys.dont_write_bytecode = True  # byte-code caches are Python's writes, not ours

_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC
_NETWORK = {
    "socket.connect",
    "socket.bind",
    "socket.getaddrinfo",
    "socket.gethostbyname",
    "socket.gethostbyaddr",
    "socket.sendto",
    "socket.sendmsg",
}
_FILESYSTEM = {
    "os.mkdir",
    "os.rename",
    "os.remove",
    "os.rmdir",
    "os.chmod",
    "os.chown",
    "os.truncate",
    "os.symlink",
    "os.link",
    "os.utime",
    "shutil.copyfile",
    "shutil.rmtree",
    "shutil.move",
}
_PROCESSES = {"subprocess.Popen", "os.system", "os.posix_spawn", "os.exec", "os.fork"}
events: list[list[str]] = []
_armed = False


def _opens_for_writing(args: tuple[object, ...]) -> bool:
    _path, mode, flags = args
    if isinstance(mode, str) and any(c in mode for c in "wax+"):
        return True
    return isinstance(flags, int) and bool(flags & _WRITE_FLAGS)


def _offending(event: str, args: tuple[object, ...]) -> bool:
    if event in _NETWORK or event in _FILESYSTEM or event in _PROCESSES:
        return True
    if event == "open":
        return _opens_for_writing(args)
    return event == "sqlite3.connect" and bool(args) and args[0] != ":memory:"


def _hook(event: str, args: tuple[object, ...]) -> None:
    if _armed and _offending(event, args):
        events.append([event, repr(args)[:200]])


def _every_installed_plugin() -> list[str]:
    from importlib.metadata import entry_points

    return sorted(ep.name for ep in entry_points(group="flow_sdk.plugins"))


def phase_import() -> None:
    import flow_sdk
    import flow_sdk.cli
    import flow_sdk.cli_client  # noqa: F401

    assert not [m for m in sys.modules if m.startswith("flow_sdk_")], "a plugin was imported"


def phase_construct() -> None:
    from flow_sdk import CLIClient, FlowConfig, PluginError
    from flow_sdk.cli import CLISettings, build_parser

    config = FlowConfig(
        platform_url="https://flow.example.com",
        api_key="fl_not_a_real_key",
        org_id="org_1",
        workspace_id="ws_1",
    )
    names = _every_installed_plugin()
    assert len(names) >= 2, names
    client = CLIClient(config, plugins=names, strict_plugins=True)
    loaded = [info.name for info in client.plugins() if info.status == "loaded"]
    assert loaded == names, (loaded, names)
    for namespace in sorted(client._plugin_host.namespaces):
        with contextlib.suppress(PluginError):  # a plugin under construction reports itself
            getattr(client, namespace)  # imports the namespace's module and builds it
    repr(client)
    with CLIClient(config):  # the default plugin set, through the entry-point scan
        pass
    client.close()
    build_parser(CLISettings(plugins=names))


def phase_construct_local() -> None:
    from flow_sdk import CLIClient, FlowConfig

    client = CLIClient(FlowConfig())
    assert client.config.platform_url == "local://default"
    client.close()


def phase_self_check() -> None:
    """What the probe must catch: a file written, a socket connected, a process started."""
    import socket
    import subprocess
    import tempfile

    with tempfile.TemporaryFile("w") as handle:
        handle.write("x")
    with socket.socket() as sock:
        sock.settimeout(1)
        with contextlib.suppress(OSError):
            sock.connect(("127.0.0.1", 9))
    subprocess.run([sys.executable, "-c", "pass"], check=True)


PHASES = {
    "self-check": phase_self_check,
    "import": phase_import,
    "construct": phase_construct,
    "construct-local": phase_construct_local,
}


def main() -> None:
    global _armed
    phase = PHASES[sys.argv[1]]
    import json  # imported before arming: the probe's own machinery

    if sys.argv[1] != "import":
        import flow_sdk  # noqa: F401  (imported before arming; the import phase checks it)
    sys.addaudithook(_hook)
    _armed = True
    phase()
    _armed = False
    sys.stdout.write(json.dumps({"events": events}) + "\n")


if __name__ == "__main__":
    main()
