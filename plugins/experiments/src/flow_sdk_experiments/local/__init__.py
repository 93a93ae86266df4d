"""The local platform's side of flow-sdk-experiments (loaded only when a platform is built)."""
