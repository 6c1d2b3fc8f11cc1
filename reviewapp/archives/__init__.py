"""A whole workload in one JSON file, out and back in: ``{"format": "wa-workload-archive", "version": 1}``.

``workload_archive`` writes a workload with everything it holds: its fields (its profile by
slug and version, with the answers given), members by username and role, and each review (its lens by slug and version) with every answer and
the answer's full history (``AnswerChange``), the improvement items and the milestones with
their frozen answers. Rows are named by stable keys (usernames, lens slug and version,
question and choice ids), never by database ids, and timestamps are ISO 8601 in UTC.

``workload_from_archive`` reads one back as a new workload owned by the importer, on this
instance or another, keeping every timestamp: exporting the imported workload gives the
same file. All or nothing: a bad file is refused whole, each problem named by its place
(``reviews[0].answers[3].choices[1]: unknown choice "x"``), and nothing is written.

The lens and profile versions must exist here (import them first, e.g. ``import_lens``). Usernames
that do not exist here are not an error: such members are left out and other references
(who changed an answer, an item's owner...) are kept empty, each unknown name listed once
in the result's warnings. The importer is always an owner of the new workload.
"""

from .export import workload_archive
from .importing import ArchiveImport, workload_from_archive
from .spec import FORMAT, VERSION, WorkloadArchiveError

__all__ = ["FORMAT", "VERSION", "ArchiveImport", "WorkloadArchiveError", "workload_archive", "workload_from_archive"]
