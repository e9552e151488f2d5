"""The fakes' rate rules: a group's minute counts edits too, and only there."""

from __future__ import annotations

from tests.adapters.ratelimits import RateRules, Window


def test_edits_spend_a_groups_minute_but_not_the_overall_or_chat_limits() -> None:
    rules = RateRules(
        overall=Window(2, 1.0), per_group=Window(3, 60.0), per_chat=Window(1, 1.0)
    )
    assert rules.check("-1", group=True, now=0.0) is None
    # Edits in the same second: over the chat's and overall limits were they sends.
    assert rules.check("-1", group=True, edit=True, now=0.1) is None
    assert rules.check("-1", group=True, edit=True, now=0.2) is None
    refused = rules.check("-1", group=True, edit=True, now=0.3)  # the group's fourth
    assert refused is not None and not refused.is_global
    assert 59.0 < refused.retry_after <= 60.0
    assert rules.group_peak("-1") == 3 and rules.peak() == 1  # edits are not sends
    assert rules.check("-2", group=True, now=0.4) is None  # another group, overall room
