"""models/kegiatan."""
