"""models/people."""
