"""Who is calling: SigV4 ``Authorization`` parsing, tenants, and strict-mode verification."""

from chime_local.auth.authenticator import Authenticator

__all__ = ["Authenticator"]
