"""The console: server-rendered HTML pages under ``/_chime_local/console/`` and the invitation
sign-up pages, for people to see and steer the emulator in a browser (README, "Console")."""
