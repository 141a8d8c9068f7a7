"""The staff access log: every time staff look at one reader's personal data.

Records are chained like the consent ledger (append-only, tamper-evident), hold the
reader's pseudonym (never their id or e-mail), and are shown to the reader on their
privacy page and to privacy officers in the admin.
"""

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction

from consent.models import AccessRecord
from consent.pseudonyms import pseudonym_for
from consent.services import chain_append


def staff_label_for(staff) -> str:
    """Who acted, as kept in a lasting record: the role and a short pseudonym, never the
    e-mail address (it would outlive the staff member's own erasure). While the account
    exists, the record's ``staff`` link shows privacy officers who it is."""
    if staff.is_superuser:
        role = "Administrator"
    else:
        groups = sorted(staff.groups.values_list("name", flat=True))
        role = ", ".join(groups) or "Staff"
    return f"{role} {pseudonym_for(staff.pk)[:12]}"


@transaction.atomic
def access_record_append(*, staff: AbstractBaseUser, pseudonym: str, what: str) -> AccessRecord:
    """Log that ``staff`` looked at the data of the reader behind ``pseudonym``."""
    return chain_append(
        record=AccessRecord(
            staff_id=staff.pk,
            staff_label=staff_label_for(staff),
            subject_pseudonym=pseudonym,
            what=what,
        )
    )


class AccessLoggedAdminMixin:
    """For a ModelAdmin whose change page shows one reader's personal data.

    ``access_subject_id(obj)`` gives the reader's user id (the object's own pk by default).
    """

    access_what = "account record"

    def access_subject_id(self, obj) -> int:
        return obj.pk

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET" and getattr(response, "status_code", 200) == 200:
            obj = self.get_object(request, object_id)
            if obj is not None:
                access_record_append(
                    staff=request.user,
                    pseudonym=pseudonym_for(self.access_subject_id(obj)),
                    what=f"{self.access_what} (admin change page)",
                )
        return response
