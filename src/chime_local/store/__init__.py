"""Persistent state behind a narrow interface named in domain verbs. SQL lives only here."""

from chime_local.store.sqlite import Page, Store

__all__ = ["Page", "Store"]
