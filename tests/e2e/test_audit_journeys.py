"""The editor holds the recommender to account in the browser: runs an exposure audit, reads
its chart, defines an experiment and reads a finished one's released result; a reader in a
running experiment sees their version on the privacy page and leaves with one switch."""

from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from consent.pseudonyms import pseudonym_for
from consent.services import consent_grant
from newsapp import experiment_results, experiments
from newsapp.models import Experiment, ExperimentArm, ExperimentOutcome
from tests.e2e.support import axe_scan, make_staff, sign_in, staff_sign_in
from tests.factories import UserFactory, follow


def _readers(corpus, count: int) -> list:
    readers = []
    for n in range(count):
        reader = UserFactory(email=f"audited{n}@example.org")
        follow(reader, corpus["science"] if n % 2 else corpus["food"])
        consent_grant(user=reader, purpose="analytics", method="signup")
        readers.append(reader)
    return readers


def test_editor_runs_an_audit_and_reads_a_released_experiment(web, site, corpus):
    page = web
    _readers(corpus, 12)
    today = timezone.localdate()
    done = Experiment.objects.create(
        name="Fresher first",
        description="Do fresher stories first make readers open more?",
        starts_on=today - timedelta(days=5),
        ends_on=today - timedelta(days=2),
    )
    for position, name in enumerate("AB"):
        arm = ExperimentArm.objects.create(
            experiment=done, name=name, position=position, description=f"Version {name}."
        )
        ExperimentOutcome.objects.create(arm=arm, day=done.starts_on, kind="opened", count=30)
    experiment_results.experiment_release(experiment=done, staff_label="setup")
    editor, secret = make_staff("Editors", "editor@example.org")

    staff_sign_in(page, site, editor.email, secret)
    page.goto(f"{site}/admin/newsapp/exposureaudit/")
    page.get_by_role("button", name="Run an audit now (spends ε = 0.5)").click()
    # The task runs in the request here (the immediate backend): give it time to finish.
    expect(page.locator(".messagelist")).to_contain_text("The audit is running", timeout=30_000)
    chart = page.get_by_role("img", name="Sources: share of articles published against")
    expect(chart).to_be_visible()
    axe_scan(page, "exposure audits")

    page.goto(f"{site}/admin/newsapp/experiment/{done.pk}/results/")
    expect(page.get_by_role("heading", name="Result", exact=True)).to_be_visible()
    expect(page.get_by_text("Fixed horizon")).to_be_visible()
    axe_scan(page, "experiment results")

    page.goto(f"{site}/admin/newsapp/experiment/add/")
    axe_scan(page, "add experiment")


def test_a_reader_sees_their_version_and_leaves_every_experiment(web, site, corpus):
    page = web
    today = timezone.localdate()
    running = Experiment.objects.create(
        name="Fresher first",
        description="Do fresher stories first make readers open more?",
        starts_on=today,
        ends_on=today + timedelta(days=6),
    )
    ExperimentArm.objects.create(experiment=running, name="A", position=0, description="Usual.")
    ExperimentArm.objects.create(
        experiment=running, name="B", position=1, half_life_hours=12, description="Fresher."
    )
    experiments.reset_cache()
    reader = _readers(corpus, 1)[0]
    arm = experiments.arm_of(experiments.running_plan(), pseudonym_for(reader.pk))

    sign_in(page, site, reader.email)
    page.goto(f"{site}/privacy/")
    section = page.locator("#experiments")
    expect(section).to_contain_text("You take part in “Fresher first”")
    expect(section).to_contain_text(f"Your version: {arm.name}")
    expect(page.locator("#feed-vs-everyone svg").first).to_be_visible()
    axe_scan(page, "privacy dashboard, in an experiment")
    section.get_by_role("button", name="Leave every experiment").click()
    expect(page.locator("#experiments")).to_contain_text("you left every experiment")
