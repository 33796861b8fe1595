"""frameworks layer."""
