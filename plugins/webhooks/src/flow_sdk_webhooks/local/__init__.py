"""The webhooks part of the local platform: routes, event emission and delivery.

Imported only when the local platform (flow-sdk-local) runs.
"""
