"""The snippet handed to the top-level README: deploy a workflow, call a hosted service.

It continues the quickstart of flow-sdk-components (``client`` and the
word-count ``workflow`` exist); this test builds those, then runs it as written.
"""

from __future__ import annotations

import contextlib
import io
from typing import Any

QUICKSTART = """
canary = client.rings.create(name="canary", traffic_percent=5)
prod = client.rings.create(name="prod", traffic_percent=100)
deployment = client.workflow_deployments.deploy(workflow.id, ring_id=canary.id, wait=True)
deployment = client.workflow_deployments.promote(deployment.id, wait=True)
print(deployment.status, deployment.ring_id == prod.id)  # active True

service = client.hosted_services.create(
    name="word-count",
    endpoints=[{
        "method": "POST",
        "path": "/count",
        "handler": "def main(body):\\n    return {'count': len(body['text'].split())}",
    }],
)
client.hosted_services.publish(service.id)  # v1
print(client.invoke_service(service.id, "POST", "/count", body={"text": "to be or not to be"}))
# {'count': 6}
"""


def test_the_quickstart_snippet_runs(flow_client: Any) -> None:
    split = flow_client.code_blocks.create(
        name="split-words", spec={"code": "def main(text):\n    return {'words': text.split()}"}
    )
    workflow = flow_client.workflows.create(
        name="word-count",
        spec={"steps": [{"id": "split", "component": {"type": "code_block", "id": split.id}}]},
    )
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(QUICKSTART, {"client": flow_client, "workflow": workflow})
    assert printed.getvalue() == "active True\n{'count': 6}\n"
