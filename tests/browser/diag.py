from reviewapp.models import AnswerChange


def dump(review_id, token):
    out = []
    for c in (
        AnswerChange.objects.filter(answer__review_id=review_id)
        .select_related("answer__question", "changed_by")
        .order_by("answer__question__key", "version")
    ):
        b, a = c.before.get("notes", ""), c.after.get("notes", "")
        if token in a or token in b:
            out.append(
                f"{c.answer.question.key} v{c.version} {c.changed_by.username} {c.idempotency_key[:8]} {c.changed_at:%H:%M:%S.%f}\n   before={b!r}\n   after ={a!r}"
            )
    return "\n".join(out)
