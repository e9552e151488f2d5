"""Pure domain logic: no I/O, no platform imports; time comes in as arguments."""
