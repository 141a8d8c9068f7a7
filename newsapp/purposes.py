"""The purposes the news domain asks readers' consent for. Their wording and retention are
registered in ``newsapp/privacy.py``; code that checks a consent names them by these slugs."""

PERSONALIZE_HISTORY = "personalize_history"
ANALYTICS = "analytics"
LOCATION = "location"
