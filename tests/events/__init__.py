"""Event flow reliability: retries, dead letters, de-duplication, replay, crash recovery."""
