"""handlers/kegiatan."""
