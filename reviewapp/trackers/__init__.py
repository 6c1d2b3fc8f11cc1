"""Issue trackers: a workload's improvement items synced as GitHub, GitLab or Jira issues.

- ``encryption``: the connection's token, encrypted at rest (Fernet keys from ``TRACKER_TOKEN_KEYS``).
- ``errors``: why a call failed (``TrackerError``) and the words a person reads for it.
- ``clients``: one small HTTP client per tracker with one interface (find, create, get, update).
- ``content``: what an item's issue says (title, body with the marker, labels).
- ``connecting``: connecting and disconnecting a workload (owners only, checked by the views).
- ``sync``: syncing an item or a workload both ways, and the jobs that do it with retries.
- ``hooks``: the tracker's signed webhook, which syncs the issue it names at once.
- ``display``: what the pages and the API show of an issue or a connection (errors in words).
"""
