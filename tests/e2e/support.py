"""Helpers for the browser tests: axe scans, the network guard, screenshots, keyboard
walking, sign-up with the confirmation e-mail, and a small corpus."""

import json
import re
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.core import mail

from tests.factories import (
    PASSWORD,
    ArticleFactory,
    SourceFactory,
    TopicFactory,
    UserFactory,
    give_totp,
    totp_code,
)

ROOT = Path(settings.BASE_DIR)
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "var" / "screenshots"
WIDTHS = (390, 1280)
SCHEMES = ("light", "dark")
BLOCKING = ("serious", "critical")

# Every scan of the run, for the closing summary: (page label, path, {impact: [rule ids]}).
AXE_RESULTS: list[tuple[str, str, dict[str, list[str]]]] = []


# -- axe-core ---------------------------------------------------------------------------


def _inject_axe(page) -> None:
    if page.evaluate("typeof window.axe !== 'undefined'"):
        return
    if not AXE_JS.exists():
        raise AssertionError(f"{AXE_JS} is missing: run `npm ci` (make e2e does it)")
    # The site's CSP (script-src 'self' + nonce) rightly refuses page.add_script_tag(), which
    # inserts an inline <script>. Evaluating the library through the DevTools protocol is not
    # subject to the page's CSP, so the page is scanned under its real policy, without a
    # bypass_csp context that would also hide CSP breakage from the journeys.
    page.evaluate(AXE_JS.read_text(encoding="utf-8") + "\n;undefined")


def _run_axe(page) -> list[dict]:
    return page.evaluate(
        """async () => {
            const r = await axe.run(document, {resultTypes: ['violations']});
            return r.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                wcag: v.tags.some(t => t.startsWith('wcag')),
                targets: v.nodes.map(n => n.target.join(' ')),
                nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ' :: ' + n.failureSummary),
                count: v.nodes.length,
            }));
        }"""
    )


def axe_scan(page, label: str) -> dict[str, list[str]]:
    """Run every axe-core rule (WCAG 2.x A/AA and best practices) on the page as it is now;
    fail on any serious or critical violation, naming each rule and its first elements.

    Admin pages are held to the same bar: their forms use native labelled controls
    (newsapp/admin_widgets.py) and the search box has a visible label
    (templates/admin/search_form.html). Best-practice findings are marked "bp"."""
    _inject_axe(page)
    _SCANNING.add(id(page))
    try:
        result = _run_axe(page)
    finally:
        page.evaluate("0")  # a round trip: console messages from the scan arrive first
        _SCANNING.discard(id(page))
    path = urlsplit(page.url).path
    by_impact: dict[str, list[str]] = {}
    for violation in result:
        note = " (bp)" if not violation["wcag"] else ""
        by_impact.setdefault(violation["impact"] or "unknown", []).append(
            f"{violation['id']}{note} x{violation['count']}"
        )
    AXE_RESULTS.append((label, path, by_impact))
    blocking = [v for v in result if v["impact"] in BLOCKING]
    if blocking:
        details = "\n".join(
            f"  {v['impact']}: {v['id']} ({v['count']}) {v['help']}\n    "
            + "\n    ".join(v["nodes"])
            for v in blocking
        )
        raise AssertionError(f"axe: serious/critical violations on {label} ({path}):\n{details}")
    return by_impact


def axe_summary_lines() -> list[str]:
    lines = []
    for label, path, by_impact in AXE_RESULTS:
        found = "; ".join(f"{impact}: {', '.join(ids)}" for impact, ids in by_impact.items())
        lines.append(f"{label:<34} {path:<44} {found or 'no violations'}")
    totals = Counter()
    for _, _, by_impact in AXE_RESULTS:
        for impact, ids in by_impact.items():
            totals[impact] += len(ids)
    lines.append(f"{len(AXE_RESULTS)} scans; rule hits by impact: {dict(totals) or 'none'}")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    (SCREENSHOTS / "axe-results.json").write_text(
        json.dumps(
            [{"page": lbl, "path": p, "violations": v} for lbl, p, v in AXE_RESULTS], indent=2
        )
    )
    return lines


# Pages an axe scan is running on. axe-core adds a <style> element of its own while it
# works, which our CSP rightly refuses; that refusal is the tool's, not the page's.
_SCANNING: set[int] = set()
AXE_CSP_REFUSALS: list[str] = []


# -- network guard ----------------------------------------------------------------------


class NetworkGuard:
    """Records every request a page makes (documents, styles, images, fetches, downloads),
    and every console error and uncaught exception (a CSP refusal shows up there)."""

    def __init__(self, page, origin: str):
        self.origin = origin
        self.urls: list[str] = []
        self.errors: list[str] = []
        page.on("request", lambda request: self.urls.append(request.url))
        page.on("console", lambda message: self._console(page, message))
        page.on("pageerror", lambda error: self.errors.append(f"{page.url}: {error}"))

    def _console(self, page, message) -> None:
        # A failed load is the response status, which the tests check where it matters
        # (a 403 is the expected answer to a forbidden edit).
        if message.type != "error" or message.text.startswith("Failed to load resource"):
            return
        path = urlsplit(page.url).path
        if id(page) in _SCANNING and "inline style" in message.text:
            AXE_CSP_REFUSALS.append(path)
            return
        self.errors.append(f"{path}: {message.text}")

    def assert_same_origin(self) -> None:
        assert self.urls, "the network guard saw no request at all"
        foreign = [
            url
            for url in self.urls
            if urlsplit(url).scheme not in ("data", "blob", "about")
            and f"{urlsplit(url).scheme}://{urlsplit(url).netloc}" != self.origin
        ]
        assert not foreign, f"requests left {self.origin}: {foreign}"
        assert not self.errors, f"console errors (CSP refusals, script errors): {self.errors}"


# -- screenshots ------------------------------------------------------------------------


def screenshots(page, name: str) -> list[Path]:
    """Full-page screenshots at a phone's and a laptop's width, in the light and the dark
    scheme, for people to look at; the page must fit each width without scrolling sideways
    (WCAG 1.4.10 reflow). Files: ``<name>-<width>[-dark].png``."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    before = page.viewport_size
    paths = []
    for scheme in SCHEMES:
        page.emulate_media(color_scheme=scheme)
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            scroll_width = page.evaluate("document.documentElement.scrollWidth")
            assert scroll_width <= width, f"{name} is {scroll_width}px wide at {width}px"
            suffix = "" if scheme == "light" else f"-{scheme}"
            path = SCREENSHOTS / f"{name}-{width}{suffix}.png"
            page.screenshot(path=str(path), full_page=True)
            paths.append(path)
    page.emulate_media(color_scheme="light")
    page.set_viewport_size(before)
    return paths


# -- keyboard ---------------------------------------------------------------------------


def tab_to(page, target, *, limit: int = 120, backwards: bool = False) -> None:
    """Press Tab until the focused element is ``target`` (a CSS selector or a Locator), as a
    keyboard user would; fail if it cannot be reached."""
    key = "Shift+Tab" if backwards else "Tab"
    for _ in range(limit):
        page.keyboard.press(key)
        if isinstance(target, str):
            reached = page.evaluate("s => !!document.activeElement?.matches(s)", target)
        else:
            reached = target.evaluate("el => el === document.activeElement")
        if reached:
            return
    raise AssertionError(f"{target!r} cannot be reached with {key} in {limit} presses")


def focused_outline(page) -> str:
    """The focused element's outline, to prove focus is visible."""
    return page.evaluate(
        "() => { const s = getComputedStyle(document.activeElement);"
        " return s.outlineStyle + ' ' + s.outlineWidth; }"
    )


# -- accounts ---------------------------------------------------------------------------


def confirmation_path(email: str) -> str:
    """The confirmation link from the last message sent to ``email`` (locmem outbox)."""
    messages = [m for m in mail.outbox if email in m.to]
    assert messages, f"no e-mail was sent to {email}"
    found = re.search(r"https?://[^/\s]+(/accounts/confirm-email/\S+)", messages[-1].body)
    assert found, messages[-1].body
    return found.group(1)


def sign_up(page, site: str, email: str, password: str = PASSWORD) -> None:
    """Sign up through the form, then confirm the address from the e-mail."""
    page.goto(f"{site}/accounts/signup/")
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password1]").fill(password)
    page.locator("input[name=password2]").fill(password)
    page.locator("form").filter(has=page.locator("input[name=password1]")).locator(
        "button[type=submit]"
    ).click()
    page.wait_for_load_state()
    page.goto(site + confirmation_path(email))
    page.get_by_role("button", name=re.compile("confirm", re.I)).click()
    page.wait_for_load_state()


def sign_in(page, site: str, email: str, password: str = PASSWORD) -> None:
    page.goto(f"{site}/accounts/login/")
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(password)
    page.locator("form").filter(has=page.locator("input[name=password]")).locator(
        "button[type=submit]"
    ).click()
    page.wait_for_load_state()


# -- data -------------------------------------------------------------------------------


def make_corpus() -> dict:
    """Three topics with keywords and a dozen articles, enough for a ranked feed."""
    science = TopicFactory(
        name="Science", description="Research and discovery.", keywords="telescope, physics"
    )
    sport = TopicFactory(name="Sport", description="Games and players.", keywords="league, goal")
    food = TopicFactory(name="Food", description="Cooking and farming.", keywords="chef, harvest")
    gazette, wire = SourceFactory(name="Harbour Gazette"), SourceFactory(name="Valley Wire")
    stories = {
        science: [
            ("Telescope spots a distant comet", "The telescope team measured the comet."),
            ("Physics lab cools atoms", "Physics researchers cooled atoms with lasers."),
            ("New telescope mirror polished", "Engineers polished the telescope mirror."),
            ("Physics prize for quantum sensor", "A quantum sensor won the physics prize."),
        ],
        sport: [
            ("Late goal settles the league", "A goal in the final minute decided the league."),
            ("League adds a new club", "The league welcomed a club from the coast."),
            ("Goalkeeper saves three penalties", "The keeper kept the goal safe all night."),
            ("Marathon runners brave the rain", "Runners finished the race in heavy rain."),
            ("Cycling club wins the relay", "The club's riders took the relay title."),
        ],
        food: [
            ("Chef wins harvest prize", "The chef cooked the autumn harvest."),
            ("Harvest festival returns", "Farmers celebrated the harvest in the square."),
            ("Chef opens a school kitchen", "A chef teaches pupils to cook."),
            ("Bakers share a sourdough recipe", "A bakery taught the village its bread."),
            ("Orchard apples win at the fair", "Growers brought apples to the autumn fair."),
        ],
    }
    articles = []
    for index, (topic, items) in enumerate(stories.items()):
        for n, (title, text) in enumerate(items):
            articles.append(
                ArticleFactory(
                    title=title,
                    summary=text,
                    body=f"<p>{text}</p>",
                    topics=[topic],
                    source=gazette if (index + n) % 2 else wire,
                )
            )
    return {"science": science, "sport": sport, "food": food, "articles": articles}


def make_staff(group: str, email: str):
    """A staff member in ``group`` with an authenticator app; returns (user, TOTP secret)."""
    from django.contrib.auth.models import Group

    user = UserFactory(email=email, is_staff=True, totp=False)
    user.groups.add(Group.objects.get(name=group))
    return user, give_totp(user)


def staff_sign_in(page, site: str, email: str, secret: str) -> None:
    """The admin's sign-in: allauth's form, then the six-digit code from the app."""
    page.goto(f"{site}/admin/")
    page.wait_for_url(re.compile(r"/accounts/login/"))
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form").filter(has=page.locator("input[name=password]")).locator(
        "button[type=submit]"
    ).click()
    page.wait_for_url(re.compile(r"/accounts/2fa/authenticate/"))
    # allauth accepts only the current 30-second step: never type a code about to expire.
    if time.time() % 30 > 26:
        page.wait_for_timeout((30 - time.time() % 30 + 0.2) * 1000)
    page.locator("input[name=code]").fill(totp_code(secret))
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(re.compile(r"/admin/$"))
