from __future__ import annotations

from bot.services import Services


def test_topics_list_tags_then_decks(services: Services) -> None:
    topics = services.topics.topics()
    tags = [(t.name, t.items) for t in topics if t.kind == "tag"]
    decks = [(t.name, t.items) for t in topics if t.kind == "deck"]
    assert tags == [
        ("activation-functions", 4),
        ("cnn", 3),
        ("normalization", 1),
        ("regularization", 7),
    ]
    assert decks == [("cards", 6), ("dl", 6), ("vision", 3)]
