"""Offline fake platform servers (Discord, Telegram) for end-to-end adapter tests."""
