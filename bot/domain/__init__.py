"""Pure domain logic: no I/O, no platform imports; time comes in as arguments.

The deck models (`bot.content.schema`: Item, Deck and their parts) sit one layer below the
domain: grading, option order and selection read an item's shape, so the domain imports
them, never the other way round. Loading and checking decks (`bot.content` else) uses the
grader and sits above it. `tests/foundation/test_boundaries.py` holds the whole table of layers.
"""
