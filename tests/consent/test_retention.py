from consent import inventory
from consent.retention import Retention, retention_text


def test_a_retention_is_put_into_words_from_its_number():
    assert retention_text(None) == "Until you delete your account."
    assert retention_text(90) == "90 days, then deleted."
    assert retention_text(1) == "One day, then deleted."
    assert retention_text(365, after="you gave it") == "One year after you gave it, then deleted."
    assert retention_text(730) == "2 years, then deleted."
    assert retention_text(395) == "13 months, then deleted."
    assert Retention(30, after="your last visit").text == (
        "30 days after your last visit, then deleted."
    )
    assert retention_text(None, as_proof=True).startswith("Kept as proof.")


def test_the_purge_and_the_words_read_the_same_number():
    for declaration in inventory.declarations():
        category = inventory.category(declaration.category)
        days = category.retention_period.days
        assert declaration.retention_days == days
        if days is not None and not category.kept_as_proof:
            assert category.retention == retention_text(days, after=category.retention_period.after)
    # A category without a number of its own keeps its purpose's.
    history = inventory.category("reading_history")
    assert history.retention == history.purpose_info.retention == "90 days, then deleted."
    # Rows outliving the account as proof say so, whatever their purpose keeps.
    assert inventory.category("consents").retention.startswith("Kept as proof.")
