"""The private admin API under ``/_chime_local/``, apart from Chime's own routes."""
