"""The Python half of the quickstart: use the SDK against the local platform.

`flow local init` stored a profile with an API key; `load_config()` reads it
(arguments, then FLOW_* variables, then the profile), and `CLIClient`
exchanges the key for a token on first use. Each step uses one plugin:
components (agents, code blocks, workflows), deployments, hosted services.
"""

from __future__ import annotations

import sys
from pathlib import Path

from flow_sdk import CLIClient, load_config

SPLIT = "def main(text):\n    return {'words': text.split()}"
COUNT = "def main(words):\n    return {'count': len(words)}"


def main(ids_file: str | None = None) -> None:
    config = load_config()
    with CLIClient(config) as client:
        # The reference call: a component as a plain dict.
        agent = client.create_component(
            "agent",
            {
                "name": "support-bot",
                "description": "Answers support questions",
                "spec": {"model": "gpt-x", "temperature": 0.2},
            },
        )
        print(f"created agent {agent['id']} (version {agent['version']})")

        # A workflow of two code blocks, run in the background and waited for.
        words = client.code_blocks.create(name="split-words", spec={"code": SPLIT})
        count = client.code_blocks.create(name="count-words", spec={"code": COUNT})
        workflow = client.workflows.create(
            name="word-count",
            spec={
                "steps": [
                    {
                        "id": "split",
                        "component": {"type": "code_block", "id": words.id},
                        "inputs": {"text": "$inputs.text"},
                    },
                    {
                        "id": "count",
                        "component": {"type": "code_block", "id": count.id},
                        "inputs": {"words": "$steps.split.outputs.words"},
                    },
                ],
                "outputs": {"count": "$steps.count.outputs.count"},
            },
        )
        run = client.workflows.run(
            workflow.id, {"text": "to be or not to be"}, wait=True, timeout_s=60
        )
        print(f"workflow run {run.id}: {run.status}, outputs {run.outputs}")

        # Deploy the workflow to a canary ring, then promote it to prod.
        canary = client.rings.create(name="canary", traffic_percent=5)
        prod = client.rings.create(name="prod", traffic_percent=100)
        deployment = client.workflow_deployments.deploy(workflow.id, ring_id=canary.id, wait=True)
        deployment = client.workflow_deployments.promote(deployment.id, wait=True)
        ring = "prod" if deployment.ring_id == prod.id else deployment.ring_id
        print(f"workflow deployed to {ring}: {deployment.status}")

        # A hosted service: publish v1 and invoke it through the reference call.
        service = client.hosted_services.create(
            name="word-count",
            endpoints=[
                {
                    "method": "POST",
                    "path": "/count",
                    "handler": "def main(body):\n    return {'count': len(body['text'].split())}",
                }
            ],
        )
        client.hosted_services.publish(service.id)
        answer = client.invoke_service(
            service.id, "POST", "/count", body={"text": "to be or not to be"}
        )
        print(f"service {service.id} v1 answered {answer}")

    if ids_file:
        Path(ids_file).write_text(
            f"ORG_ID={config.org_id}\nWORKSPACE_ID={config.workspace_id}\nAGENT_ID={agent['id']}\n"
        )


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else None)
