"""Django's SQLite backend with the writers' gate (egis.core.writer_gate); see `base`."""
