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

from django import template
from django.template.defaulttags import CsrfTokenNode
from django.utils.html import conditional_escape as esc
from django.utils.safestring import SafeString

from newsapp.core.reversing import reverse_cached
from newsapp.models import Article
from newsapp.selectors import FeedItem
from newsapp.templatetags.card_public import facts, public_parts, published_label

register = template.Library()

_CSRF = CsrfTokenNode()


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
    card = facts(article, position=position, heading_level=heading_level)
    parts = public_parts(card)
    html = [parts.head]
    if snippet:
        html.append(f'    <p class="card-snippet">{esc(snippet)}</p>\n')
    if item:
        published = published_label(card.published_at, card.environment) if card.published_at else ""
        html.append(_why(item, published))
    html.append('    <div class="card-foot">')
    html.append(parts.tags)
    user = context.get("user")
    if user is not None and user.is_authenticated:
        html.append(_menu(context, article, remove_on_unsave=remove_on_unsave))
    html.append(parts.tail)
    return SafeString("".join(html))


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


def _menu(context, article: Article, *, remove_on_unsave: bool) -> str:
    """The signed-in reader's actions: more / less like this, hide the outlet, save."""
    request = context.get("request")
    here = esc(request.get_full_path()) if request is not None else ""
    csrf = _CSRF.render(context)
    title = esc(article.title)
    save = _save_form if article.is_published else None
    html = []
    if remove_on_unsave and save:
        html.append(save(context, article, here, csrf, title, remove=True, in_menu=False))
    html.append(
        '\n      <details class="card-menu">\n'
        '        <summary><span aria-hidden="true">⋯</span>'
        f'<span class="visually-hidden">Actions for “{title}”</span></summary>\n'
        '        <div class="card-menu-panel">'
    )
    html.append(_feedback(context, article, here, csrf))
    if not remove_on_unsave and save:
        html.append(save(context, article, here, csrf, title, remove=False, in_menu=True))
    html.append("</div>\n      </details>\n")
    return "".join(html)


def _pressed(ids, pk) -> bool:
    """``pk in ids`` as a template's ``{% if %}`` reads it (a missing list is false)."""
    try:
        return pk in ids
    except TypeError:
        return False


def _feedback(context, article: Article, here: str, csrf: str) -> str:
    pk = article.pk
    action = esc(reverse_cached("newsapp:article-feedback", slug=article.slug))
    next_field = f'      <input type="hidden" name="next" value="{here}#article-{pk}">\n'
    preferences = context.get("preferences")
    html = ['\n<ul class="actions" aria-label="Tell us about this story">\n']
    for kind, label, pressed_label, ids in (
        ("more", "More like this", "You asked for more like this", "liked"),
        ("less", "Less like this", "You asked for less like this", "disliked"),
    ):
        pressed = _pressed(getattr(preferences, ids, None), pk)
        html.append(
            f'  <li>\n    <form method="post" action="{action}" data-card-action>\n'
            f"      {csrf}\n{next_field}"
            f'      <input type="hidden" name="kind" value="{kind}">\n'
            f'      <button type="submit" class="menu-button" data-kind="{kind}"'
            f' data-label="{label}" data-pressed-label="{pressed_label}"'
            f' aria-pressed="{"true" if pressed else "false"}">'
            f"{pressed_label if pressed else label}</button>\n    </form>\n  </li>\n"
        )
    source = article.source
    if source is not None:
        mute = esc(reverse_cached("newsapp:source-mute", slug=source.slug))
        unmute = esc(reverse_cached("newsapp:source-unmute", slug=source.slug))
        name = esc(source.name)
        html.append(
            f'    <li>\n      <form method="post" action="{mute}" data-card-action'
            f' data-mute="{mute}" data-unmute="{unmute}">\n'
            f"        {csrf}\n  {next_field}"
            '        <button type="submit" class="menu-button" data-kind="source"'
            f' data-label="Hide {name}" data-pressed-label="Show {name} again">'
            f"Hide {name}</button>\n      </form>\n    </li>\n"
        )
    html.append("</ul>\n")
    return "".join(html)


def _save_form(
    context, article: Article, here: str, csrf: str, title: str, *, remove: bool, in_menu: bool
) -> str:
    pk = article.pk
    action = esc(reverse_cached("newsapp:article-save", slug=article.slug))
    html = [
        f'\n  <form method="post" action="{action}"'
        f' class="save-form{" save-form-menu" if in_menu else ""}" id="save-{pk}"'
        f' data-save-form{" data-remove-card" if remove else ""}>\n'
        f'    {csrf}\n    <input type="hidden" name="next" value="{here}">\n'
    ]
    if remove:
        html.append(
            '      <button type="submit" class="button button-small">Remove<span'
            f' class="visually-hidden"> “{title}” from your saved articles</span></button>\n'
        )
    else:
        saved = _pressed(context.get("saved_ids"), pk)
        css = "menu-button" if in_menu else "button button-small"
        html.append(
            f'      <button type="submit" class="{css}"'
            f' aria-pressed="{"true" if saved else "false"}" data-on="Saved"'
            f' data-off="Save for later">{"Saved" if saved else "Save for later"}</button>\n'
        )
    html.append("  </form>\n")
    return "".join(html)
