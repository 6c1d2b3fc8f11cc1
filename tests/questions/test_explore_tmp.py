import html, re
from django.urls import reverse
from django.contrib.auth.models import Group
from questions.models import Choice, Lens, Question, RiskRule, Pillar
from questions.versions import lens_draft_create, lens_publish
from .test_bank_admin import form_data
from ..factories import make_lens, make_user, make_workload


def test_explore(db, client_for):
    lens = make_lens()
    ed = make_user("eddie", is_staff=True)
    ed.groups.add(Group.objects.get(name="Bank editors"))
    c = client_for(ed)
    draft = lens_draft_create(lens=lens, user=ed)
    q = Question.objects.get(pillar__lens=draft, key="p1_q1")
    url = reverse("admin:questions_question_change", args=[q.pk])
    data = form_data(c.get(url), "question_form")
    data["title_en"] = ["How do you test?"]
    r = c.post(url, data)
    print(r.status_code)
    r = c.get(reverse("admin:questions_lens_bank_history", args=[draft.pk]))
    t = html.unescape(r.content.decode())
    print(re.sub(r"\s+", " ", t[t.rindex("<table>"):])[:4000])
    r = c.get(reverse("admin:questions_lens_changelist"))
    t = r.content.decode()
    print(re.findall(r'<select name="action".*?</select>', t, re.S))
    r = c.post(reverse("admin:questions_lens_changelist"), {"action": "make_draft", "_selected_action": [str(lens.pk)]})
    print(r.status_code, r.get("Location"))
    r = c.get(r["Location"])
    print(re.findall(r'<ul class="messagelist">.*?</ul>', html.unescape(r.content.decode()), re.S))
