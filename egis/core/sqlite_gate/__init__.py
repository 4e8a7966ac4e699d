"""Django's SQLite backend with a write gate across processes (see `base`)."""
