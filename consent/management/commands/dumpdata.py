"""Django's ``dumpdata``, without writing encrypted personal data out in plaintext.

An encrypted field decrypts when it is read, so a plain ``dumpdata`` would write readers'
encrypted values into a file in clear text. Here the models holding such fields are
left out (and named on stderr) unless ``--decrypted`` says that is wanted; naming one of
them explicitly without it is an error. Backups belong to ``pg_dump``, which copies the
ciphertext as stored (see ``make restore-drill``).
"""

from django.core.management import CommandError
from django.core.management.commands.dumpdata import Command as DjangoDumpdata

from consent.fields import encrypted_fields


class Command(DjangoDumpdata):
    help = (
        DjangoDumpdata.help
        + " Models with encrypted personal data are left out unless --decrypted is given."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--decrypted",
            action="store_true",
            help="Include models with encrypted personal data, written out DECRYPTED.",
        )

    def handle(self, *app_labels, **options):
        sealed = sorted({field.model._meta.label for field in encrypted_fields()})
        if options["decrypted"]:
            self.stderr.write(
                f"Writing the encrypted personal data of {', '.join(sealed)} in plaintext. "
                "Keep the output as safe as the database, and delete it when done."
            )
            return super().handle(*app_labels, **options)
        named = sorted(
            label
            for label in sealed
            if any(label.lower() == wanted.lower() for wanted in app_labels)
        )
        if named:
            raise CommandError(
                f"{', '.join(named)} holds encrypted personal data, which dumpdata would write "
                "in plaintext. Back it up with pg_dump, or pass --decrypted if a plaintext "
                "copy is really needed."
            )
        whole_apps = {wanted for wanted in app_labels if "." not in wanted}
        left_out = [
            label for label in sealed if not app_labels or label.split(".")[0] in whole_apps
        ]
        if left_out:
            options["exclude"] = [*options.get("exclude", []), *left_out]
            self.stderr.write(
                f"Left out {', '.join(left_out)}: encrypted personal data would be written in "
                "plaintext (pass --decrypted to include it; back up with pg_dump)."
            )
        return super().handle(*app_labels, **options)
