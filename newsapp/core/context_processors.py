from django.conf import settings


def site(request):
    return {"SITE_NAME": "Plainsight", "DEBUG": settings.DEBUG}
