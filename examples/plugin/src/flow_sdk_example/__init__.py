"""An example third-party Flow SDK plugin.

It shows everything a plugin can add: a namespace (``client.notes``), a new
component type (``client.evaluators``), CLI commands and local-platform routes.
Importing this package imports nothing heavy; the hook module is
``flow_sdk_example.plugin``.
"""

__version__ = "0.1.0"
