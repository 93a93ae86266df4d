"""The Python half of the quickstart: use the SDK against the local platform.

`flow local init` stored a profile with an API key; `load_config()` reads it
(arguments, then FLOW_* variables, then the profile), and `CLIClient`
exchanges the key for a token on first use.
"""

from __future__ import annotations

import sys
from pathlib import Path

from flow_sdk import CLIClient, load_config


def main(ids_file: str | None = None) -> None:
    config = load_config()
    with CLIClient(config) as client:
        agent = client.create_component(
            "agent",
            {
                "name": "support-bot",
                "description": "Answers support questions",
                "spec": {"model": "gpt-x", "temperature": 0.2},
            },
        )
        print(f"created agent {agent['id']} (version {agent['version']})")
        print(f"the workspace has {len(client.agents.list().to_list())} agent(s)")

    if ids_file:
        Path(ids_file).write_text(
            f"ORG_ID={config.org_id}\nWORKSPACE_ID={config.workspace_id}\n"
            f"AGENT_ID={agent['id']}\n"
        )


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else None)
