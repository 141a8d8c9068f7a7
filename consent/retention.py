"""How long personal data is kept: stated once, as a number of days, and put into words by
one function, so the dashboard, the export, the notice, the consent form and the record of
processing cannot say something the retention purge does not do."""

from dataclasses import dataclass

DAYS_IN_YEAR = 365
DAYS_IN_MONTH = 30.44


@dataclass(frozen=True)
class Retention:
    """``days`` counted from ``after`` (in the reader's words: "your last visit"); ``None``
    days: kept while the account exists. The purge counts from the field a declaration
    names as its ``retention_anchor``."""

    days: int | None = None
    after: str = ""

    @property
    def text(self) -> str:
        return retention_text(self.days, after=self.after)


def _duration(days: int) -> str:
    if days % DAYS_IN_YEAR == 0:
        years = days // DAYS_IN_YEAR
        return "One year" if years == 1 else f"{years} years"
    if days > DAYS_IN_YEAR:
        return f"{round(days / DAYS_IN_MONTH)} months"
    return "One day" if days == 1 else f"{days} days"


def retention_text(days: int | None, *, after: str = "", as_proof: bool = False) -> str:
    """The plain-language retention of ``days`` (None: while the account exists).

    ``as_proof``: the rows outlive the account under a pseudonym (a legal duty to prove).
    """
    if as_proof:
        return (
            "Kept as proof. If you delete your account, only a pseudonym that no longer "
            "leads to you remains."
        )
    if days is None:
        return "Until you delete your account."
    since = f" after {after}" if after else ""
    return f"{_duration(days)}{since}, then deleted."
