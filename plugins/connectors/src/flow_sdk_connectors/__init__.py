"""Flow SDK plugin: the connector catalog and configured connector instances.

Importing this package is cheap; the namespaces, routes and drivers load on
first use.
"""

__all__ = ["__version__"]

__version__ = "0.1.0"
