"""Platform adapters: they translate platform events into service calls and back.

Adding a platform takes one new folder and two edits elsewhere:

1. `bot/adapters/<name>/`: the adapter (an object with `messenger`, `start()` and `stop()`,
   see `bot.ports.Adapter`, built from settings, services and bank; never the Runtime), its
   `Messenger` for the outbox, and `spec.py` exporting `SPEC = PlatformSpec(...)`: name, the
   token setting that switches it on, how it is built (importing its library late), its
   delivery rate budget, its noisy loggers and its secret settings. The package's
   `__init__.py` imports only `SPEC`, so listing the platform costs nothing when it is off.
2. `bot/config.py`: the platform's settings (and `.env.example`, which a test compares).
3. `bot/app.py`: add `SPEC` to `PLATFORMS`; the composition root builds, starts, throttles
   and scrubs every platform from its spec, the CLI masks its secret settings from it.

`tests/foundation/test_boundaries.py` makes the folder its own layer: platforms never import each
other; what they share lives here, in `bot.adapters`.
"""
