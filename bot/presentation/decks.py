"""The words of `/deck`: upload summaries, listings, removal and the usage line. Deck text
is data: names and questions go through `Markup.user` (escaped, mentions inert)."""

from __future__ import annotations

from bot.errors import Notice
from bot.presentation.i18n import N_, _, ngettext
from bot.presentation.markup import Mark, Markup
from bot.services.decks import DeckAdded, DeckDetail, DeckInfo, DeckRemoval

#: Item types as the summary names them.
TYPE_NAMES = {
    "open": N_("open"),
    "mcq": N_("multiple choice"),
    "flashcard": N_("flashcard"),
    "coding": N_("coding"),
}


def deck_usage(add: str, rest: str) -> str:
    """How /deck is used, in the platform's syntax (`add` and the other sub-commands)."""
    return _("Decks of this chat: {add} to upload a file; {rest}.").format(add=add, rest=rest)


def deck_added(m: Markup, added: DeckAdded, quiz: str) -> str:
    info = added.info
    kinds = ", ".join(
        f"{count} {_(TYPE_NAMES.get(kind, kind))}" for kind, count in added.by_type.items()
    )
    lines = [
        m.fill(
            ngettext(
                "Added deck {id} ({name}, read as {format}): {count} item ({kinds}).",
                "Added deck {id} ({name}, read as {format}): {count} items ({kinds}).",
                info.items,
            ),
            id=m.strong(m.code(info.id)),
            name=m.user(info.name),
            format=m.text(info.format),
            count=info.items,
            kinds=m.text(kinds),
        )
    ]
    if added.no_answer:
        lines.append(
            m.line(
                Mark.NOTE,
                m.fill(
                    ngettext(
                        "{count} item has no answer yet; it is never asked.",
                        "{count} items have no answer yet; they are never asked.",
                        added.no_answer,
                    ),
                    count=added.no_answer,
                ),
            )
        )
    for warning in added.warnings:
        lines.append(m.line(Mark.NOTE, m.user(warning)))
    lines.append(m.fill(_("Practise it with {quiz}."), quiz=m.code(quiz)))
    return "\n".join(lines)


def deck_list(m: Markup, decks: list[DeckInfo]) -> str:
    if not decks:
        return m.text(_("This chat has no decks of its own yet."))
    lines = [m.strong(m.text(_("Decks of this chat")))]
    for info in decks:
        lines.append(
            m.line(
                Mark.ITEM,
                m.fill(
                    ngettext(
                        "{id}: {name}, {count} item, added {date}",
                        "{id}: {name}, {count} items, added {date}",
                        info.items,
                    ),
                    id=m.code(info.id),
                    name=m.user(info.name),
                    count=info.items,
                    date=m.text(info.created),
                ),
            )
        )
    return "\n".join(lines)


def deck_show(m: Markup, detail: DeckDetail) -> str:
    info = detail.info
    lines = [
        m.fill(
            ngettext(
                "Deck {id} ({name}): {count} item. The first:",
                "Deck {id} ({name}): {count} items. The first:",
                info.items,
            ),
            id=m.strong(m.code(info.id)),
            name=m.user(info.name),
            count=info.items,
        )
    ]
    for item_id, question in detail.first:
        lines.append(m.line(Mark.ITEM, f"{m.code(item_id)} {m.user(question)}"))
    return "\n".join(lines)


def deck_removal(m: Markup, removal: DeckRemoval, again: str) -> str:
    if removal.removed:
        return m.fill(_("Removed deck {id}."), id=m.strong(m.code(removal.info.id)))
    return m.fill(
        ngettext(
            "Remove deck {id} ({name}, {count} item)? Its questions leave this chat's "
            "quizzes and schedules. To confirm, send {again}.",
            "Remove deck {id} ({name}, {count} items)? Its questions leave this chat's "
            "quizzes and schedules. To confirm, send {again}.",
            removal.info.items,
        ),
        id=m.strong(m.code(removal.info.id)),
        name=m.user(removal.info.name),
        count=removal.info.items,
        again=m.code(again),
    )


def deck_exported(m: Markup, deck_id: str) -> str:
    return m.fill(_("Deck {id} as prepbot YAML."), id=m.code(deck_id))


def deck_needs_file() -> str:
    return _("Send the deck file with the caption /deck add, or reply /deck add to the file.")


FILE_UNREADABLE = Notice("The file could not be downloaded; please send it again.")


def deck_file_unreadable() -> str:
    return _(FILE_UNREADABLE.msgid)


def remove_confirm_label() -> str:
    return _("Remove")


def file_not_read(path: str, reason: str) -> str:
    return _("Could not read {path}: {reason}").format(path=path, reason=reason)
