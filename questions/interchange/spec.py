"""The custom lens format's version, limits and names, and the error a bad file raises."""

import re
from dataclasses import dataclass

from ..models import Risk
from ..resources import MAX_ADDITIONAL_LINKS, RESOURCE_TYPES  # noqa: F401 - the format's names, kept here too

SCHEMA_VERSION = "2021-11-01"
MAX_FILE_BYTES = 500_000
MAX_PILLARS, MAX_QUESTIONS, MAX_CHOICES = 10, 20, 15
NONE_SUFFIX = "_no"
ELLIPSIS = "…"


@dataclass(frozen=True)
class Limits:
    lens_name: int = 128
    lens_description: int = 2048
    pillar_id: int = 64
    pillar_name: int = 128
    question_id: int = 128
    question_title: int = 128
    question_description: int = 2048
    question_resource_text: int = 2048
    question_resource_url: int = 2048
    choice_id: int = 64
    choice_title: int = 128
    choice_description: int = 1024
    choice_content_text: int = 1024
    choice_content_url: int = 1024


LIMITS = Limits()
MIN_ID = 3
ID_CHARS = re.compile(r"[A-Za-z0-9_]+")
RISKS = (Risk.HIGH, Risk.MEDIUM, Risk.NONE)
# The AWS Well-Architected Framework pillars and the labels the AWS tool gives them, by their ids
# in lower case without separators ("costOptimization", "CostOptimization" and "cost_optimization"
# are all "costoptimization").
SHORT_LABELS = {
    "operationalexcellence": "OPS",
    "security": "SEC",
    "reliability": "REL",
    "performance": "PERF",
    "performanceefficiency": "PERF",
    "costoptimization": "COST",
    "sustainability": "SUS",
}


class LensImportError(ValueError):
    """A lens file that cannot be imported; ``messages`` names each problem with its place.

    ``total`` counts every problem, also those past the first ones that ``messages`` lists.
    """

    def __init__(self, messages: list[str], *, total: int | None = None):
        self.messages = list(messages)
        self.total = len(self.messages) if total is None else total
        super().__init__("\n".join(self.messages))


class LensAlreadyImported(LensImportError):
    """The file's content is already a version of the lens: no copy is made unless asked (``force``)."""

    def __init__(self, lens):
        self.lens = lens
        super().__init__(
            [
                f'lens "{lens.slug}" version "{lens.version}" already has this content: nothing was imported '
                "(import again with force to make a copy)"
            ]
        )
