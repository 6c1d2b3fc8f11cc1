"""Where a save, an unchanged refresh and a changed refresh spend their time (cProfile, in-process).

Not part of `make bench`: a tool for choosing what to cut next. Run inside scripts/with-postgres.sh:

    scripts/with-postgres.sh .venv/bin/python bench/floor_profile.py [save|unchanged|changed|page] [N]

Production settings (DEBUG off, cached_db sessions in a local memory cache), Django's test
client through the whole middleware stack; prints the functions with the most cumulative and
the most own time over N requests (default 300).
"""

import cProfile
import os
import pstats
import re
import sys
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.server import HOST, create_workshop, prepare_database, question_keys, server_env  # noqa: E402


def main() -> None:
    kind = sys.argv[1] if len(sys.argv) > 1 else "save"
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 300
    os.environ.update(server_env("locmemcache://profile"))
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.test import Client

    from reviewapp.models import Review

    prepare_database()
    review_id, names = create_workshop(1, "Profile bench", prefix="profile")
    keys = question_keys()
    key = next(iter(keys))
    client = Client(HTTP_HOST=HOST)
    client.force_login(get_user_model().objects.get(username=names[0]))
    save_path = f"/reviews/{review_id}/answers/"
    client.post(save_path, {"question": key, "choices": keys[key][:1], "notes": "first"}, HTTP_HX_REQUEST="true")
    revision = Review.objects.values_list("revision", flat=True).get(pk=review_id)
    body = client.get(f"/reviews/{review_id}/live/?page=question:{key}&rev=0", HTTP_HX_REQUEST="true").content
    token = re.search(rb'&quot;seen&quot;: &quot;([0-9a-f]+)&quot;|"seen": "([0-9a-f]+)"', body)
    query = {"page": f"question:{key}", "seen": (token.group(1) or token.group(2)).decode(), "lead": "", "by": ""}
    counter = [0]

    def one() -> int:
        counter[0] += 1
        n = counter[0]
        if kind == "save":
            question = list(keys)[n % len(keys)]
            choices = keys[question][: 1 + (n // len(keys)) % 2]
            data = {"question": question, "choices": choices, "notes": f"profile {n}"}
            return client.post(save_path, data, HTTP_HX_REQUEST="true").status_code
        if kind == "unchanged":
            path = f"/reviews/{review_id}/live/?{urlencode({**query, 'rev': revision})}"
        elif kind == "changed":
            path = f"/reviews/{review_id}/live/?{urlencode({**query, 'rev': revision - 1})}"
        else:
            path = f"/reviews/{review_id}/questions/{key}/"
        return client.get(path, HTTP_HX_REQUEST="true" if kind != "page" else "").status_code

    for _ in range(20):
        one()
    profile = cProfile.Profile()
    profile.enable()
    statuses = {one() for _ in range(count)}
    profile.disable()
    print(f"{kind}: {count} requests, statuses {statuses}")
    stats = pstats.Stats(profile).strip_dirs()
    stats.sort_stats("cumulative").print_stats(45)
    stats.sort_stats("tottime").print_stats(25)


if __name__ == "__main__":
    main()
