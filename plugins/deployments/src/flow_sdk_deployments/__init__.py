"""Deployments for the Flow SDK: rings, component and workflow deployments, backups.

Installing this distribution adds ``client.rings``, ``client.component_deployments``,
``client.workflow_deployments`` and ``client.component_backups``, the matching
``flow`` commands, and their routes on the local platform. Importing this
package imports none of them; the client loads each on first use.
"""

__all__: list[str] = []
