from django.conf import settings
from django.db import models
from django.utils import timezone


class HelpRequest(models.Model):
    """A question a reader sent to the help desk."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="help_requests"
    )
    message = models.TextField()
    sent_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Help request #{self.pk}"
