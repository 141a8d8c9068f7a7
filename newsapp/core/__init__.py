"""Project infrastructure every app may use: JSON logs and request ids, security headers,
database-outage handling, error pages, the safe redirect back, HTML sanitising, accessible
admin widgets and the context processor.

It imports only Django and the standard library (and nh3 for sanitising), never an app:
``consent`` and ``accounts`` build on it without depending on the news domain.
"""
