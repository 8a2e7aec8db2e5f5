"""The `akhbar` ops command (status, dead letters, rebuilds, replays)."""
