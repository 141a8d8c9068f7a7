from django.core.management.base import BaseCommand
from tqdm import tqdm

from newsapp import ranking


class Command(BaseCommand):
    help = (
        "Build the recommender index for the current content (a full refit) and save it "
        "where every web worker loads it. Run after topic changes or bulk imports, or nightly."
    )

    def handle(self, *args, **options):
        def progress(rows):
            return tqdm(rows, desc="articles", unit=" articles", file=self.stderr._out)

        index, path = ranking.build_now(progress=progress)
        self.stdout.write(
            self.style.SUCCESS(
                f"Index built: {len(index)} articles, {len(index.topics)} topics, "
                f"{len(index.terms)} terms; saved to {path}."
            )
        )
