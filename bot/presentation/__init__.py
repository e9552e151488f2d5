"""The words a user reads, written once for every platform.

`i18n` is the one gateway to the message catalogue (gettext); `markup` is what a platform
adds around the words (escaping, bold, markers); `wording` builds the sentences of every
service result; `commands` writes command references and user-error notices per platform.
Adapters import this package; it never imports an adapter.
"""
