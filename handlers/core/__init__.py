"""handlers/core."""
