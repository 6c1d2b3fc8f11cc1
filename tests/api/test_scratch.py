from django.test import Client
from django.db import transaction
from reviewapp.tokens import token_create

def test_probe(review, alice):
    _t, key = token_create(user=alice, name="x")
    c = Client(headers={"Authorization": f"Bearer {key}"})
    for url in [
        "/api/v1/workloads/?limit=100000000000000000000",
        "/api/v1/workloads/?limit=9223372036854775808",
        "/api/v1/workloads/?limit=-5&offset=-3",
        f"/api/v1/reviews/{review.pk}/improvement-plan/?owner=100000000000000000000",
        f"/api/v1/reviews/{review.pk}/improvement-plan/?owner=abc",
        f"/api/v1/reviews/{review.pk}/export.json?milestone=999999999999999999",
        f"/api/v1/reviews/?workload=999999999999999999",
        f"/api/v1/lenses/mini/risks.csv",
        f"/api/v1/reviews/{review.pk}/answers/%00/",
        f"/api/v1/reviews/{review.pk}/milestones/?limit=100000000000000000000",
        f"/api/v1/reviews/{review.pk}/milestones/?offset=100000000000000000000",
        f"/api/v1/workloads/?offset=100000000000000000000&limit=1",
        f"/api/v1/workloads/?search=%00",
        f"/api/v1/reviews/?lens=%00",
        f"/api/v1/lenses/%00/risks.csv",
        f"/api/v1/reviews/{review.pk}/answers/?pillar=%00",
        f"/api/v1/reviews/{review.pk}/improvement-plan/?pillar=%00&status=%00",
    ]:
        try:
            with transaction.atomic():
                r = c.get(url)
            print(url, r.status_code, r.content[:200])
        except Exception as e:
            print(url, "EXC", type(e), e)
