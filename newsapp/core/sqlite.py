"""SQL functions the embedded SQLite database needs, registered on every connection.

SQLite has no function to turn stored HTML into the words a reader sees, and its full-text
index (``newsapp.search.schema``) must hold words, not markup: the triggers that keep it
current call ``newsapp_plain_text``. Registering it on each new connection (``ready()``
connects :func:`register_functions` to ``connection_created``) makes every Django process
able to write articles; a tool that writes the database without Django cannot.
"""

import html
import re

_TAG = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"\s+")


def plain_text(value: str | None) -> str:
    """The text of ``value`` (sanitised article HTML): tags out, entities decoded."""
    if not value:
        return ""
    return _SPACE.sub(" ", html.unescape(_TAG.sub(" ", value))).strip()


def register_functions(sender, connection, **kwargs) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_function(
            "newsapp_plain_text", 1, plain_text, deterministic=True
        )
