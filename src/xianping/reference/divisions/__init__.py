"""reference/divisions layer."""
