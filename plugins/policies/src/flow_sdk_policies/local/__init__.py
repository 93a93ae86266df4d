"""The policies part of the local platform: routes and enforcement.

Imported only when the local platform (flow-sdk-local) runs.
"""
