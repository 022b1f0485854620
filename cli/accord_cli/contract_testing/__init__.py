"""`accord test`: property-based contract testing of a running implementation with schemathesis."""
