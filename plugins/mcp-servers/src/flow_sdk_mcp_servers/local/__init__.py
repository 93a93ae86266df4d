"""The local platform's side of flow-sdk-mcp-servers (loaded only when a platform is built)."""
