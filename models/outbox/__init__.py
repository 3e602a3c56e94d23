"""models/outbox."""
