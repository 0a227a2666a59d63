"""The HTTP front: an ASGI adapter over the emulator, served by uvicorn."""
