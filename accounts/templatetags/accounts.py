"""What the account pages ask of the account itself, for allauth's views that do not say."""

from allauth.account.models import EmailAddress
from django import template

register = template.Library()


@register.simple_tag
def unconfirmed_addresses(user) -> int:
    """How many of ``user``'s addresses wait for confirmation (two-factor needs none)."""
    if not user.is_authenticated:
        return 0
    return EmailAddress.objects.filter(user=user, verified=False).count()
