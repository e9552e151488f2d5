"""Start-up objects out of the garbage collector's way.

What start-up builds (modules, the bank, the platform libraries and their clients) lives
as long as the process, yet a full collection walks every tracked object: with all of
those in it, each full collection stalls the event loop for a fifth of a second in the
middle of a fan-out. Frozen once start-up is done, they are skipped.
"""

from __future__ import annotations

import gc
import logging

log = logging.getLogger(__name__)


def freeze_startup() -> None:
    """Collect once, then move every surviving object to the permanent generation."""
    gc.collect()
    gc.freeze()
    log.debug("heap: %d start-up objects frozen", gc.get_freeze_count())
