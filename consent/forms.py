from django import forms

from consent import extensions, purposes
from consent.purposes import Purpose


def _purpose_field(purpose: Purpose, initial: bool = False) -> forms.BooleanField:
    return forms.BooleanField(
        required=False,
        initial=initial,
        label=purpose.title,
        help_text=f"{purpose.data} {purpose.why} Kept: {purpose.retention}",
    )


class PurposeAnswersForm(forms.Form):
    """One unticked box per optional purpose: the reader opts in, never out."""

    def __init__(self, *args, current: dict[str, bool] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        for purpose in purposes.optional_purposes():
            initial = bool(current and current.get(purpose.code))
            self.fields[f"consent_{purpose.code}"] = _purpose_field(purpose, initial)

    def answers(self) -> dict[str, bool]:
        return {
            p.code: self.cleaned_data[f"consent_{p.code}"] for p in purposes.optional_purposes()
        }


class SignupConsentForm(PurposeAnswersForm):
    """allauth's ``ACCOUNT_SIGNUP_FORM_CLASS``: optional consents, asked at sign-up."""

    def signup(self, request, user) -> None:
        from consent.models import ConsentEvent
        from consent.services import consents_answer

        consents_answer(user=user, answers=self.answers(), method=ConsentEvent.Method.SIGNUP)


class ConsentToggleForm(forms.Form):
    purpose = forms.CharField(max_length=40)
    granted = forms.TypedChoiceField(
        choices=[("1", "allow"), ("0", "withdraw")], coerce=lambda v: v == "1"
    )

    def clean_purpose(self) -> str:
        code = self.cleaned_data["purpose"]
        if not purposes.takes_consent(code):
            raise forms.ValidationError("There is no optional purpose by that name.")
        return code


class ClearForm(forms.Form):
    """One optional box per option the apps registered for "Clear recommendations"."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for option in extensions.clear_options():
            self.fields[option.name] = forms.BooleanField(
                required=False, label=option.label, help_text=option.help_text
            )

    def chosen(self) -> frozenset[str]:
        """The names of the ticked boxes."""
        return frozenset(name for name in self.fields if self.cleaned_data.get(name))


class DeleteAccountForm(forms.Form):
    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text="We ask for it so nobody else can erase your account from a device "
        "you left signed in.",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("That is not your password. Nothing was deleted.")
        return password


class PauseForm(forms.Form):
    paused = forms.TypedChoiceField(
        choices=[("1", "pause"), ("0", "resume")], coerce=lambda v: v == "1"
    )
