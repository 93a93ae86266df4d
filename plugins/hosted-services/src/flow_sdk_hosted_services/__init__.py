"""Hosted services for the Flow SDK: versioned HTTP endpoints run by the platform.

Installing this distribution adds ``client.hosted_services``, ``flow services …``
and the services routes of the local platform. Importing this package imports
none of them; the client loads the namespace on first use.
"""

__all__: list[str] = []
