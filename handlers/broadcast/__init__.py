"""handlers/broadcast."""
