"""The release check: build every distribution, validate it, install it where a user would.

1. Build a wheel and an sdist of every workspace member into ``dist/``.
2. Validate their metadata (``twine check --strict``): a README as the long
   description, a license file in each, classifiers and project URLs.
3. Make a new virtual environment outside the workspace, install the core and
   one plugin from the built files only (their dependencies from the package
   index), and run a smoke test there: a call on the local platform, a
   missing namespace naming the right distribution, and the served platform's
   web console with the installed plugin's panel (all it needs is in the wheels).

Run: make release-check   (also part of make test)
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DIST = ROOT / "dist"
UV = os.environ.get("UV") or shutil.which("uv") or str(ROOT / ".tools" / "bin" / "uv")

SMOKE = textwrap.dedent(
    """
    import flow_sdk
    from flow_sdk import CLIClient, FlowConfig

    config = FlowConfig(platform_url="local://memory-release-check")
    from flow_sdk_local import platform_for
    platform = platform_for(config.platform_url)
    config = FlowConfig(platform_url=config.platform_url, api_key=platform.mint_dev_key(),
                        org_id="org_dev", workspace_id="ws_dev")
    with CLIClient(config) as client:
        assert client.verify_credentials() is True
        dataset = client.datasets.create(name="release-check")
        assert client.datasets.get(dataset.id).name == "release-check"
        try:
            client.agents
        except AttributeError as error:
            assert "pip install flow-sdk-components" in str(error), error
        else:
            raise AssertionError("client.agents without flow-sdk-components")
    import httpx
    from flow_sdk_local import LocalServer
    from flow_sdk_local.console import COOKIE, login_link

    with LocalServer(platform) as server, httpx.Client(base_url=server.url) as browser:
        signed_in = browser.get(login_link(server.url, platform.admin_secret))
        assert signed_in.status_code == 303, signed_in.text
        browser.cookies.set(COOKIE, signed_in.cookies[COOKIE], path="/console")
        page = browser.get("/console/datasets?org=org_dev&ws=ws_dev")
        assert page.status_code == 200 and ">release-check</a>" in page.text, page.text
        assert 'href="/console/components' not in page.text  # not installed: no panel
    import importlib.metadata as md
    assert md.distribution("flow-sdk-core").read_text("METADATA")
    print("smoke test passed with flow-sdk-core", md.version("flow-sdk-core"))
    """
)


def run(*command: str, **kwargs: object) -> None:
    print("+", " ".join(command), flush=True)
    subprocess.run(command, check=True, **kwargs)  # type: ignore[call-overload]  # noqa: S603


def main() -> int:
    shutil.rmtree(DIST, ignore_errors=True)
    run(UV, "build", "--all-packages", "--out-dir", str(DIST), "--quiet", cwd=ROOT)
    built = sorted(p.name for p in DIST.iterdir() if p.name.endswith((".whl", ".tar.gz")))
    wheels = [name for name in built if name.endswith(".whl")]
    sdists = [name for name in built if name.endswith(".tar.gz")]
    print(f"built {len(wheels)} wheels and {len(sdists)} sdists")
    if len(wheels) != len(sdists) or len(wheels) < 13:
        print(f"expected a wheel and an sdist of each of the 13 members, got {built}")
        return 1
    run(UV, "run", "--no-sync", "twine", "check", "--strict", *[str(DIST / n) for n in built])
    with tempfile.TemporaryDirectory(prefix="flow-release-") as home:
        venv = Path(home) / "venv"
        run(UV, "venv", "--quiet", "--python", sys.executable, str(venv))
        python = venv / "bin" / "python"
        # Only our own packages come from dist/; a foreign "flow-sdk" can never be picked.
        # They are refreshed: uv's cache may hold an earlier build of the same version.
        ours = ("flow-sdk-core", "flow-sdk-local", "flow-sdk-datasets")
        refresh = [arg for name in ours for arg in ("--refresh-package", name)]
        run(
            UV,
            "pip",
            "install",
            "--quiet",
            "--python",
            str(python),
            "--find-links",
            str(DIST),
            *refresh,
            *ours,
            cwd=home,
        )
        run(str(python), "-c", SMOKE, cwd=home, env={**os.environ, "FLOW_DATA_DIR": home})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
