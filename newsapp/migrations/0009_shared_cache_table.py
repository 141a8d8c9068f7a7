"""The shared cache's table is part of the schema, so `manage.py migrate` alone prepares it.

The database cache (settings.CACHES, when REDIS_URL is not set) holds allauth's rate limits
and the daily read counts; without its table every sign-up and sign-in failed. Django makes
the table with `createcachetable`, which this runs: it creates what is missing and leaves an
existing table alone, so databases set up by `make migrate` before are untouched.
"""

from django.core.management import call_command
from django.db import migrations


def create_cache_tables(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("newsapp", "0008_article_lead_image")]

    operations = [migrations.RunPython(create_cache_tables, migrations.RunPython.noop)]
