"""Lenses in and out in the AWS Well-Architected Tool's custom lens JSON format.

``lens_to_aws`` writes one language of a lens as a custom lens file, ``lens_from_aws``
reads one back as a new lens (or a new version of one), and ``validate_aws_lens`` holds
the format's rules, shared by both directions.

The rules, and where they come from. [spec] is the AWS page "Lens format specification
in AWS WA Tool", of which only the lens and pillar sections could be read here; [schema]
is a public JSON Schema of that page (PacoVK/well-architected-editor,
src/schemas/custom-lens.schema.json) for the sections after them; [api] is the
Well-Architected API reference; [import] the ``ImportLens`` page; [lab] the AWS
Well-Architected Labs custom lens lab. Where two disagree, the stricter one holds.

- ``schemaVersion`` is ``"2021-11-01"``; ``name`` 1-128 characters, ``description`` up
  to 2048 [spec]; the whole file at most 500 KB [import].
- 1-10 pillars [spec]; a pillar ``id`` is 3-64 letters, digits or ``_`` (the spec allows
  128, but the API's ``PillarId`` holds 64), unique in the lens; ``name`` 1-128 [spec].
- Up to 20 questions a pillar; a question ``id`` is 3-128 letters, digits or ``_``,
  unique in the lens; ``title`` 1-128; ``description`` up to 2048; an optional
  ``helpfulResource`` with ``displayText`` up to 2048 [schema; QuestionId 128 in api].
- 1-15 choices a question; a choice ``id`` is 3-64 letters, digits or ``_`` (api
  ``ChoiceId``; [schema] says 128), unique in its question; ``title`` 1-128 [schema];
  ``description`` up to 1024 [api ``Choice``]; ``helpfulResource`` / ``improvementPlan``
  ``displayText`` and ``url`` up to 1024 [api ``ChoiceContent``; schema says 2048], the
  url http(s); every choice but "None of these" has an ``improvementPlan`` [schema]. A
  choice id ending in ``_no`` is "None of these" [lab], at most one a question.
  ``additionalResources``: at most one of each type ``HELPFUL_RESOURCE`` /
  ``IMPROVEMENT_PLAN`` [api ``Choice``], each with 1-5 links [schema].
- ``riskRules``: 1-3 rules ``{condition, risk}`` with a ``default`` one, risk
  ``HIGH_RISK`` / ``MEDIUM_RISK`` / ``NO_RISK`` [schema]; conditions name only the
  question's own choice ids, with ``&&``, ``||``, ``!`` and parentheses, and ``default``
  is the last rule (the first true rule decides; see ``questions/rules.py``).

Keys the format does not know (``_version``, ``_release_note``, a question ``url``...)
are ignored.
"""

from .export import export_warnings, lens_to_aws
from .importing import lens_from_aws, parse_lens_json
from .spec import LIMITS, MAX_FILE_BYTES, SCHEMA_VERSION, LensAlreadyImported, LensImportError
from .validation import validate_aws_lens

__all__ = [
    "LIMITS",
    "MAX_FILE_BYTES",
    "SCHEMA_VERSION",
    "LensAlreadyImported",
    "LensImportError",
    "lens_from_aws",
    "export_warnings",
    "lens_to_aws",
    "parse_lens_json",
    "validate_aws_lens",
]
