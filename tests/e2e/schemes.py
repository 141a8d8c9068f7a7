"""Light and dark: every page a reader can reach is looked at in both colour schemes."""

from tests.e2e.support import axe_scan, screenshots

SCHEMES = ("light", "dark")


def look(page, name: str, label: str | None = None) -> None:
    """axe-core scan and screenshots at a phone's and a laptop's width, in the light and
    the dark scheme (the reader's system setting), then back to light."""
    try:
        for scheme in SCHEMES:
            page.emulate_media(color_scheme=scheme)
            # Let colour transitions (the admin's links fade over 0.15 s) end before
            # axe measures contrast and the screenshot is taken.
            page.wait_for_timeout(250)
            axe_scan(page, f"{label or name} ({scheme})")
            screenshots(page, f"{name}-{scheme}")
    finally:
        page.emulate_media(color_scheme="light")
