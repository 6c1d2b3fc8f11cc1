"""The demo data `make run` seeds: a partly answered review, and the example profile answered."""

import io

from django.core.management import call_command

from reviewapp.management.commands.seed_demo import SAMPLE_NAME
from reviewapp.models import Workload
from reviewapp.profiles import workload_prioritised_keys


def test_it_seeds_the_demo_workload_with_the_example_profile(serverless_lens):
    call_command("loaddata", "serverless_profile", verbosity=0)
    call_command("seed_demo", stdout=io.StringIO())

    workload = Workload.objects.get(name=SAMPLE_NAME)
    assert workload.profile.slug == "serverless-context"
    assert workload_prioritised_keys(workload) == {"sec_q1", "rel_q1", "rel_q2", "ops_q1"}
    assert workload.reviews.get().answers.filter(version__gt=0).count() == 5
