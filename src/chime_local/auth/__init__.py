"""Who is calling: SigV4 ``Authorization`` parsing, tenants, and strict-mode verification."""
