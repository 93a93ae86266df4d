"""The components' routes on the local platform (imported only when it runs)."""
