"""``{% article_card article %}``: one story card, as a page of 20 renders it many times.

A card is mostly the same for everyone (headline, source, time, topics, picture:
``card_public``, remembered per process) and a little personal (why it is in this
reader's feed, the menu with their likes and saves, the form token, this page's address),
which is rendered here for every request and never remembered. The HTML is the one the
card template used to produce (tests/newsapp/test_article_card.py compares the two).

Arguments, all optional but the article: ``item`` (a ``FeedItem``: the "Why this?"
details), ``position`` (1-based place on the page: the first two pictures load at once),
``heading_level`` (2), ``snippet`` (search), ``remove_on_unsave`` (the saved page).
"""

from typing import NamedTuple

from django import template
from django.template.defaulttags import CsrfTokenNode
from django.utils.safestring import SafeString

from newsapp.core.reversing import reverse_cached
from newsapp.models import Article
from newsapp.selectors import FeedItem
from newsapp.templatetags.card_public import (
    PublicParts,
    environment,
    esc,
    facts,
    public_parts,
    published_label,
)

register = template.Library()

_CSRF = CsrfTokenNode()
_PAGE = object()  # the render context's key for the page's ``_Page``


class _Page(NamedTuple):
    """What every card of one page shares: looked up once, not once per card (each is a
    context-local or lazy read). Lives in the page's render context, so one request's."""

    environment: tuple
    signed_in: bool
    here: str  # this page's address, escaped, for the forms' "next"
    csrf: str  # the token's hidden input
    liked: frozenset
    disliked: frozenset
    saved: frozenset


def _page(context) -> _Page:
    page = context.render_context.get(_PAGE)
    if page is None:
        user = context.get("user")
        signed_in = user is not None and user.is_authenticated
        request = context.get("request")
        preferences = context.get("preferences")
        page = context.render_context[_PAGE] = _Page(
            environment=environment(),
            signed_in=signed_in,
            here=esc(request.get_full_path()) if signed_in and request is not None else "",
            csrf=_CSRF.render(context) if signed_in else "",
            liked=_ids(getattr(preferences, "liked", None)),
            disliked=_ids(getattr(preferences, "disliked", None)),
            saved=_ids(context.get("saved_ids")) if signed_in else frozenset(),
        )
    return page


def _ids(ids) -> frozenset:
    """``ids`` as a set, or none for what a template's ``pk in ids`` reads as false (a
    missing list, a string)."""
    if ids is None or isinstance(ids, str):
        return frozenset()
    return frozenset(ids)


@register.simple_tag(takes_context=True)
def article_card(
    context,
    article: Article,
    *,
    item: FeedItem | None = None,
    position: int | None = None,
    heading_level: int | None = None,
    snippet: str | None = None,
    remove_on_unsave: bool = False,
) -> SafeString:
    page = _page(context)
    card = facts(
        article, position=position, heading_level=heading_level, environment=page.environment
    )
    parts = public_parts(card)
    html = [parts.head]
    if snippet:
        html.append(f'    <p class="card-snippet">{esc(snippet)}</p>\n')
    if item:
        published = (
            published_label(card.published_at, card.environment) if card.published_at else ""
        )
        html.append(_why(item, published))
    html.append('    <div class="card-foot">')
    html.append(parts.tags)
    if page.signed_in:
        html.append(_menu(page, parts, article, remove_on_unsave=remove_on_unsave))
    html.append(parts.tail)
    # Every piece was built from escaped values (esc, format_html) here and in card_public.
    return SafeString("".join(html))  # nosec B703


def _why(item: FeedItem, published: str) -> str:
    """The "Why this?" details of a card in the reader's feed."""
    reasons = item.reasons
    html = [
        '    <details class="why">\n'
        f'      <summary><span class="why-line">{esc(item.reason_line)}</span>'
        ' <span class="why-more">Why this?</span></summary>\n'
    ]
    if reasons.exploration:
        topics_url = esc(reverse_cached("newsapp:topics-fine-tune"))
        html.append(
            "      <p><strong>Outside your topics.</strong> One pick per page comes from a topic"
            " you do not follow, so your feed does not become a bubble. You can turn this off"
            f' on <a href="{topics_url}">your topics</a>.</p>\n'
        )
    else:
        html.append("      <ul>\n")
        for liked in item.liked:
            html.append(
                f'        <li>Because you liked <a href="{esc(liked.get_absolute_url())}">'
                f"{esc(liked.title)}</a>.</li>\n"
            )
        for sentence in item.topic_sentences:
            html.append(f"        <li>{esc(sentence)}</li>\n")
        if reasons.keywords:
            words = ", ".join(esc(word) for word in reasons.keywords)
            html.append(f"        <li>Matches your keywords: {words}.</li>\n")
        if reasons.terms:
            words = ", ".join(esc(word) for word in item.matched_words)
            html.append(
                "        <li>Words in this article that matched:"
                f' <span class="terms">{words}</span>.</li>\n'
            )
        if reasons.local:
            region_url = esc(reverse_cached("newsapp:region"))
            html.append(
                "        <li>About your region (you asked for"
                f' <a href="{region_url}">local news</a>).</li>\n'
            )
        when = f", published {esc(published)}" if published else ""
        html.append(
            f"        <li>Freshness: {esc(item.freshness_label)}{when}.</li>\n      </ul>\n"
        )
    html.append("    </details>\n")
    return "".join(html)


def _menu(page: _Page, parts: PublicParts, article: Article, *, remove_on_unsave: bool) -> str:
    """The signed-in reader's actions: more / less like this, hide the outlet, save."""
    pk = article.pk
    save = article.is_published
    html = []
    if remove_on_unsave and save:
        html.append(_save_form(page, parts, pk, remove=True, in_menu=False))
    html.append(
        '\n      <details class="card-menu">\n'
        '        <summary><span aria-hidden="true">⋯</span>'
        f'<span class="visually-hidden">Actions for “{parts.title}”</span></summary>\n'
        '        <div class="card-menu-panel">'
    )
    html.append(_feedback(page, parts, pk))
    if not remove_on_unsave and save:
        html.append(_save_form(page, parts, pk, remove=False, in_menu=True))
    html.append("</div>\n      </details>\n")
    return "".join(html)


_KINDS = (
    ("more", "More like this", "You asked for more like this"),
    ("less", "Less like this", "You asked for less like this"),
)


def _feedback(page: _Page, parts: PublicParts, pk: int) -> str:
    csrf, action = page.csrf, parts.feedback_url
    next_field = f'      <input type="hidden" name="next" value="{page.here}#article-{pk}">\n'
    html = ['\n<ul class="actions" aria-label="Tell us about this story">\n']
    for (kind, label, pressed_label), ids in zip(_KINDS, (page.liked, page.disliked), strict=True):
        pressed = pk in ids
        html.append(
            f'  <li>\n    <form method="post" action="{action}" data-card-action>\n'
            f"      {csrf}\n{next_field}"
            f'      <input type="hidden" name="kind" value="{kind}">\n'
            f'      <button type="submit" class="menu-button" data-kind="{kind}"'
            f' data-label="{label}" data-pressed-label="{pressed_label}"'
            f' aria-pressed="{"true" if pressed else "false"}">'
            f"{pressed_label if pressed else label}</button>\n    </form>\n  </li>\n"
        )
    if parts.mute_url is not None:
        mute, name = parts.mute_url, parts.source_name
        html.append(
            f'    <li>\n      <form method="post" action="{mute}" data-card-action'
            f' data-mute="{mute}" data-unmute="{parts.unmute_url}">\n'
            f"        {csrf}\n  {next_field}"
            '        <button type="submit" class="menu-button" data-kind="source"'
            f' data-label="Hide {name}" data-pressed-label="Show {name} again">'
            f"Hide {name}</button>\n      </form>\n    </li>\n"
        )
    html.append("</ul>\n")
    return "".join(html)


def _save_form(page: _Page, parts: PublicParts, pk: int, *, remove: bool, in_menu: bool) -> str:
    html = [
        f'\n  <form method="post" action="{parts.save_url}"'
        f' class="save-form{" save-form-menu" if in_menu else ""}" id="save-{pk}"'
        f" data-save-form{' data-remove-card' if remove else ''}>\n"
        f'    {page.csrf}\n    <input type="hidden" name="next" value="{page.here}">\n'
    ]
    if remove:
        html.append(
            '      <button type="submit" class="button button-small">Remove<span'
            f' class="visually-hidden"> “{parts.title}” from your saved articles</span></button>\n'
        )
    else:
        saved = pk in page.saved
        css = "menu-button" if in_menu else "button button-small"
        html.append(
            f'      <button type="submit" class="{css}"'
            f' aria-pressed="{"true" if saved else "false"}" data-on="Saved"'
            f' data-off="Save for later">{"Saved" if saved else "Save for later"}</button>\n'
        )
    html.append("  </form>\n")
    return "".join(html)
