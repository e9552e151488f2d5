"""Kept for imports written before the server helper moved to `devtools.pgserver`."""

from devtools.pgserver import *  # noqa: F403
from devtools.pgserver import free_port as _free_port  # noqa: F401
