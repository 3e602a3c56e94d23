"""handlers/members."""
