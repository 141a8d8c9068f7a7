"""A feed document cut to size before feedparser reads it.

feedparser is tolerant, not linear: its author e-mail pattern takes time that grows with the
square of an author field's length (feedparser issue 562, unfixed in 6.0.14; 50,000
characters took over half a minute), a few of its date and style patterns backtrack on long
input, and its loose parser spends a few microseconds of Python on every tag (a 5 MB document
of nothing but ``<a<a<a`` took twenty seconds). Rather than trust each of them, the document
is cut to size first:

- every element's text is capped at a length generous for what it holds (an author, a date,
  a title or link, a body; a body's markup counts towards its cap);
- entries beyond the per-fetch cap are left out, and so are author-like elements beyond
  twenty in one place;
- the scan stops after 40,000 tags, comments and declarations, closing what is open (the
  real feeds of ../shared/feeds hold at most some 2,600; feedparser spends some 50
  microseconds on each);
- a ``<`` that starts no tag is passed on as the text it is (``&lt;``).

Everything else passes through unchanged, so an ordinary feed reads exactly as it would have,
and the work feedparser can be made to do is bounded whatever the document.

The scan is a small tokenizer, not an XML parser: it finds tags, text, CDATA, comments and
declarations, tracks which elements are open and never looks back, so it is linear itself.
Cuts keep the document well formed: an entity reference or a UTF-8 character is never split,
and an element left out is left out with its end tag.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Characters of raw markup (entity references count in full) an element's text may have.
AUTHOR_FIELD = 256  # the quadratic pattern: 256 characters cost a fifth of a millisecond
DATE_FIELD = 100
SHORT_FIELD = 2_000  # titles, links, ids, categories and anything not named below
BODY_FIELD = 400_000  # text and markup together; article bodies are capped again later
MAX_TOKENS = 40_000  # tags, comments, declarations and stray "<": 200 per entry at the cap
MAX_AUTHORS = 20  # author-like elements in one parent (each one runs the quadratic pattern)
MAX_DEPTH = 100  # deeper than any feed; beyond it, elements are left out whole

ENTRIES = frozenset({"item", "entry"})
BODIES = frozenset(
    {"description", "content", "encoded", "summary", "subtitle", "tagline", "info", "body"}
)
AUTHORS = frozenset(
    {"author", "creator", "name", "email", "managingeditor", "webmaster", "publisher", "owner"}
)
DATES = frozenset(
    {"pubdate", "published", "updated", "date", "issued", "modified", "created", "lastbuilddate"}
)

_TAG = re.compile(r"""<(/?)([A-Za-z_][\w.:-]*)((?:[^<>"']|"[^"]*"|'[^']*')*)>""")
_OTHER = {"!--": "-->", "?": "?>", "!": ">"}  # comments, processing instructions, doctype
_WIDE = (
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\xfe\xff", "utf-16-be"),
    (b"\xff\xfe", "utf-16-le"),
)
_WIDE_WITHOUT_BOM = (
    (b"\x00\x00\x00<", "utf-32-be"),
    (b"<\x00\x00\x00", "utf-32-le"),
    (b"\x00<\x00?", "utf-16-be"),
    (b"<\x00?\x00", "utf-16-le"),
)


@dataclass(frozen=True)
class Bounded:
    content: bytes
    dropped_entries: int  # entries beyond the cap, left out
    cut_fields: int  # elements whose text was cut at its cap, or left out
    stopped: bool  # the scan stopped at MAX_TOKENS; the rest of the document is left out


def bound_document(content: bytes, *, max_entries: int) -> Bounded:
    """``content`` with every element's text capped and entries past ``max_entries`` left out."""
    text, codec, bom = _decode(content)
    scanner = _Scanner(text, bytewise=codec == "latin-1", max_entries=max_entries)
    result = scanner.run()
    return Bounded(
        content=bom + result.encode(codec, errors="replace"),
        dropped_entries=scanner.dropped,
        cut_fields=scanner.cut,
        stopped=scanner.stopped,
    )


def _decode(content: bytes) -> tuple[str, str, bytes]:
    """The document as text, the codec that turns it back into the same bytes, and its BOM.

    Latin-1 maps every byte to one character and back, so an ASCII-compatible document
    (UTF-8, ISO-8859-*, windows-125*, Shift_JIS...) is scanned as it is, whatever its
    declared encoding: ``<``, ``>`` and ``&`` are single bytes in all of them.
    """
    for bom, codec in _WIDE:
        if content.startswith(bom):
            return content[len(bom) :].decode(codec, errors="replace"), codec, bom
    for start, codec in _WIDE_WITHOUT_BOM:
        if content.startswith(start):
            return content.decode(codec, errors="replace"), codec, b""
    return content.decode("latin-1"), "latin-1", b""


def _cap(local: str) -> int:
    if local in BODIES:
        return BODY_FIELD
    if local in AUTHORS:
        return AUTHOR_FIELD
    if local in DATES:
        return DATE_FIELD
    return SHORT_FIELD


class _Frame:
    """An open element: its name, whether it is kept, and the budget its text draws on."""

    __slots__ = ("authors", "budget", "cut", "in_body", "kept", "key", "local", "name", "owner")

    def __init__(self, name: str, *, kept: bool, parent: _Frame | None) -> None:
        self.name = name
        self.key = name.lower()  # loose documents close <Title> with </title>
        self.local = self.key.rsplit(":", 1)[-1]
        self.kept = kept
        self.cut = False  # whether something was cut from its budget or left out
        self.authors = 0  # author-like children so far
        # A body owns everything inside it, markup included; any other element its own text.
        self.in_body = self.local in BODIES or (parent is not None and parent.in_body)
        self.owner: _Frame = parent.owner if parent is not None and parent.in_body else self
        self.budget = _cap(self.local)


class _Scanner:
    def __init__(self, text: str, *, bytewise: bool, max_entries: int) -> None:
        self.text = text
        self.bytewise = bytewise  # UTF-8 characters may span several positions
        self.max_entries = max_entries
        self.out: list[str] = []
        # Text outside every element (around the root) has a budget like any element's.
        self.document = _Frame("", kept=True, parent=None)
        self.stack: list[_Frame] = []
        self.entries = 0
        self.dropped = 0
        self.cut = 0  # elements that lost something
        self.stopped = False
        # Markup seen: tags, comments, stray "<", and the markup inside bodies that
        # feedparser parses as HTML afterwards (escaped "&lt;b&gt;" and CDATA tags).
        self.tokens = 0

    @property
    def top(self) -> _Frame:
        return self.stack[-1] if self.stack else self.document

    def run(self) -> str:
        text, pos, size = self.text, 0, len(self.text)
        while pos < size:
            lt = text.find("<", pos)
            if lt == -1:
                self._text(text[pos:])
                break
            if lt > pos:
                self._text(text[pos:lt])
            self.tokens += 1
            if self.tokens > MAX_TOKENS:
                self._stop()
                break
            pos = self._markup(lt)
        return "".join(self.out)

    def _markup(self, lt: int) -> int:
        """Handle the markup at ``lt``; where the scan goes on."""
        text, size = self.text, len(self.text)
        if text.startswith("<![CDATA[", lt):
            end = text.find("]]>", lt + 9)
            closed = end != -1
            self._cdata(text[lt + 9 : end if closed else size], closed=closed)
            return end + 3 if closed else size
        for opener, closer in _OTHER.items():
            if text.startswith(opener, lt + 1):
                end = text.find(closer, lt + 1 + len(opener))
                end = size if end == -1 else end + len(closer)
                if self.top.kept:
                    self.out.append(text[lt:end])
                return end
        match = _TAG.match(text, lt)
        if match is None:
            self._text("&lt;")  # a "<" that starts no tag is text
            return lt + 1
        raw, closing, name, attributes = match[0], match[1], match[2], match[3]
        if closing:
            self._end(raw, name)
        else:
            self._start(raw, name, closed=attributes.rstrip().endswith("/"))
        return match.end()

    def _text(self, piece: str) -> None:
        top = self.top
        if not top.kept:
            return
        if not top.in_body and piece.isspace():
            self.out.append(piece)  # indentation between elements costs nothing
            return
        kept = self._charge(top.owner, self._within_tokens(piece, "&lt;"))
        if kept:
            self.out.append(kept)

    def _cdata(self, inner: str, *, closed: bool) -> None:
        top = self.top
        if top.kept:
            kept = self._charge(top.owner, self._within_tokens(inner, "<"))
            self.out.append("<![CDATA[" + kept + ("]]>" if closed else ""))

    def _within_tokens(self, piece: str, opener: str) -> str:
        """A body's text as far as the markup budget allows: the HTML escaped in it is
        parsed tag by tag later, so each tag in it counts like one of the document's."""
        if not self.top.in_body or opener not in piece:
            return piece
        left = MAX_TOKENS - self.tokens
        found = piece.count(opener)
        if found <= left:
            self.tokens += found
            return piece
        self.tokens = MAX_TOKENS
        self._mark_cut(self.top.owner)
        end = -1
        for _ in range(max(0, left) + 1):  # cut before the first tag past the budget
            end = piece.find(opener, end + 1)
        return piece[:end]

    def _start(self, raw: str, name: str, *, closed: bool) -> None:
        parent = self.top
        frame = _Frame(name, kept=parent.kept and len(self.stack) < MAX_DEPTH, parent=parent)
        if frame.kept and frame.local in AUTHORS:
            parent.authors += 1
            if parent.authors > MAX_AUTHORS:
                frame.kept = False
                self._mark_cut(parent)
        if frame.kept and frame.local in ENTRIES:
            self.entries += 1
            if self.entries > self.max_entries:
                frame.kept = False
                self.dropped += 1
        if frame.kept and parent.in_body:
            # Markup inside a body counts towards the body's budget; past it, left out.
            frame.kept = len(self._charge(parent.owner, raw)) == len(raw)
        if frame.kept:
            self.out.append(raw)
        if not closed:
            self.stack.append(frame)

    def _end(self, raw: str, name: str) -> None:
        key = name.lower()
        # A well-formed document closes the innermost element; a broken one is off by a
        # few at most. Looking further would make a pile of stray end tags quadratic.
        for depth in range(len(self.stack) - 1, max(-1, len(self.stack) - 9), -1):
            if self.stack[depth].key == key:
                kept = self.stack[depth].kept
                del self.stack[depth:]
                if kept:
                    self.out.append(raw)  # an element left out keeps no end tag
                return
        if self.top.kept:
            self.out.append(raw)  # a stray end tag: feedparser decides what it means

    def _stop(self) -> None:
        self.stopped = True
        for frame in reversed(self.stack):
            if frame.kept:
                self.out.append(f"</{frame.name}>")
        self.stack.clear()

    def _charge(self, owner: _Frame, piece: str) -> str:
        """``piece`` as far as ``owner``'s budget allows."""
        if len(piece) <= owner.budget:
            owner.budget -= len(piece)
            return piece
        end = owner.budget
        owner.budget = 0
        self._mark_cut(owner)
        if self.bytewise:
            # Never split a UTF-8 character: step back over continuation bytes.
            for _ in range(3):
                if 0 < end < len(piece) and 0x80 <= ord(piece[end]) <= 0xBF:
                    end -= 1
        amp = piece.rfind("&", 0, end)
        if amp != -1 and piece.find(";", amp, end) == -1:
            end = amp  # never split an entity reference
        return piece[:end]

    def _mark_cut(self, frame: _Frame) -> None:
        if not frame.cut:
            frame.cut = True
            self.cut += 1
