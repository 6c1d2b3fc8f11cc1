"""One small client per tracker, all with one interface, on plain ``httpx``.

``find(marker)`` looks for the issue whose body carries the marker, ``create`` opens one,
``get(key)`` reads one (``None`` when it was deleted), ``update`` changes what it says and/or
opens or closes it, ``check`` proves the token may reach the project. Every failure is a
``TrackerError`` whose code says why; no message ever holds the token.

GitHub REST v3 (``/repos/{owner}/{repo}/issues``), GitLab REST v4 (``/projects/{id}/issues``),
Jira REST v2 (``/rest/api/2/issue``; closing and reopening go through the issue's transitions).
"""

import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from urllib.parse import quote

import httpx

from ..models import SyncError, TrackerConnection, TrackerKind
from ..webhooks import WebhookRefused, check_webhook_url
from .encryption import TokenUnreadable, decrypt_token
from .errors import TrackerError

TIMEOUT_SECONDS = 10
USER_AGENT = "wa-review-trackers/1"
LABEL = "well-architected"  # on every issue made here (reviewapp.trackers.content)
DEFAULT_URLS = {TrackerKind.GITHUB: "https://api.github.com", TrackerKind.GITLAB: "https://gitlab.com"}


@dataclass(frozen=True)
class Issue:
    key: str
    url: str
    closed: bool


@dataclass(frozen=True)
class IssueContent:
    title: str
    body: str
    labels: tuple[str, ...]


def retry_after_seconds(response: httpx.Response) -> float | None:
    """The wait a tracker asks for: ``Retry-After`` (seconds or a date) or GitHub's ``x-ratelimit-reset``."""
    value = response.headers.get("retry-after", "").strip()
    if value.isdigit():
        return float(value)
    if value:
        try:
            return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
        except (TypeError, ValueError):
            return None
    reset = response.headers.get("x-ratelimit-reset", "")
    return max(0.0, float(reset) - time.time()) if reset.isdigit() else None


class TrackerClient:
    kind: str

    def __init__(self, *, base_url: str, project: str, token: str, username: str = ""):
        self.base_url, self.project = base_url.rstrip("/"), project
        self.http = httpx.Client(
            base_url=self.api_root(),
            headers={"User-Agent": USER_AGENT, "Accept": "application/json"} | self.auth_headers(token, username),
            auth=(username, token) if self.kind == TrackerKind.JIRA and username else None,
            timeout=TIMEOUT_SECONDS,
            follow_redirects=False,
        )

    def api_root(self) -> str:
        return self.base_url

    def auth_headers(self, token: str, username: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}

    def close(self) -> None:
        self.http.close()

    def call(self, method: str, path: str, *, missing_ok: bool = False, **kwargs) -> httpx.Response | None:
        """One request; a failure raises ``TrackerError``, a 404 returns ``None`` when ``missing_ok``."""
        try:
            check_webhook_url(self.base_url)  # at every call: what a name resolves to may change
        except WebhookRefused:
            raise TrackerError(SyncError.ADDRESS) from None
        try:
            response = self.http.request(method, path, **kwargs)
        except httpx.HTTPError:
            raise TrackerError(SyncError.UNREACHABLE) from None  # the exception's text is not kept
        code = response.status_code
        if code == 429 or (code == 403 and response.headers.get("x-ratelimit-remaining") == "0"):
            raise TrackerError(SyncError.RATE_LIMITED, status=code, retry_after=retry_after_seconds(response))
        if code in (401, 403):
            raise TrackerError(SyncError.AUTH, status=code)
        if code in (404, 410):
            if missing_ok:
                return None
            raise TrackerError(SyncError.NOT_FOUND, status=code)
        if code >= 500:
            raise TrackerError(SyncError.UNREACHABLE, status=code, retry_after=retry_after_seconds(response))
        if code >= 300:
            raise TrackerError(SyncError.REFUSED, status=code)
        return response

    def check(self) -> None:
        raise NotImplementedError

    def find(self, marker: str) -> Issue | None:
        raise NotImplementedError

    def create(self, content: IssueContent) -> Issue:
        raise NotImplementedError

    def get(self, key: str) -> Issue | None:
        raise NotImplementedError

    def update(self, issue: Issue, *, content: IssueContent | None, closed: bool) -> Issue:
        raise NotImplementedError


class GitHubClient(TrackerClient):
    kind = TrackerKind.GITHUB

    def auth_headers(self, token: str, username: str) -> dict[str, str]:
        return {
            "Authorization": f"Bearer {token}",
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": "2022-11-28",
        }

    def _issue(self, data: dict) -> Issue:
        return Issue(key=str(data["number"]), url=data["html_url"], closed=data["state"] == "closed")

    def check(self) -> None:
        self.call("GET", f"/repos/{self.project}")

    def find(self, marker: str) -> Issue | None:
        # The newest issues first: GitHub's search index lags a few seconds behind, and the issue a
        # retry looks for (its creation's answer lost) is among the newest. Then the search, for older ones.
        params = {"labels": LABEL, "state": "all", "sort": "created", "direction": "desc", "per_page": 100}
        for data in self.call("GET", f"/repos/{self.project}/issues", params=params).json():
            if marker in (data.get("body") or "") and "pull_request" not in data:
                return self._issue(data)
        query = f'"{marker}" repo:{self.project} in:body is:issue'
        items = self.call("GET", "/search/issues", params={"q": query}).json().get("items", [])
        return self._issue(items[0]) if items else None

    def create(self, content: IssueContent) -> Issue:
        data = {"title": content.title, "body": content.body, "labels": list(content.labels)}
        return self._issue(self.call("POST", f"/repos/{self.project}/issues", json=data).json())

    def get(self, key: str) -> Issue | None:
        response = self.call("GET", f"/repos/{self.project}/issues/{key}", missing_ok=True)
        return self._issue(response.json()) if response is not None else None

    def update(self, issue: Issue, *, content: IssueContent | None, closed: bool) -> Issue:
        data: dict = {"state": "closed" if closed else "open"}
        if content is not None:
            data |= {"title": content.title, "body": content.body, "labels": list(content.labels)}
        return self._issue(self.call("PATCH", f"/repos/{self.project}/issues/{issue.key}", json=data).json())


class GitLabClient(TrackerClient):
    kind = TrackerKind.GITLAB

    def api_root(self) -> str:
        return f"{self.base_url}/api/v4"

    def auth_headers(self, token: str, username: str) -> dict[str, str]:
        return {"PRIVATE-TOKEN": token}

    @property
    def _project_path(self) -> str:
        return f"/projects/{quote(self.project, safe='')}"

    def _issue(self, data: dict) -> Issue:
        return Issue(key=str(data["iid"]), url=data["web_url"], closed=data["state"] == "closed")

    def check(self) -> None:
        self.call("GET", self._project_path)

    def find(self, marker: str) -> Issue | None:
        params = {"search": marker, "in": "description", "scope": "all"}
        found = self.call("GET", f"{self._project_path}/issues", params=params).json()
        return self._issue(found[0]) if found else None

    def create(self, content: IssueContent) -> Issue:
        data = {"title": content.title, "description": content.body, "labels": ",".join(content.labels)}
        return self._issue(self.call("POST", f"{self._project_path}/issues", json=data).json())

    def get(self, key: str) -> Issue | None:
        response = self.call("GET", f"{self._project_path}/issues/{key}", missing_ok=True)
        return self._issue(response.json()) if response is not None else None

    def update(self, issue: Issue, *, content: IssueContent | None, closed: bool) -> Issue:
        data: dict = {}
        if closed != issue.closed:
            data["state_event"] = "close" if closed else "reopen"
        if content is not None:
            data |= {"title": content.title, "description": content.body, "labels": ",".join(content.labels)}
        return self._issue(self.call("PUT", f"{self._project_path}/issues/{issue.key}", json=data).json())


class JiraClient(TrackerClient):
    """Jira Cloud with an account email and API token (basic auth), or Jira Data Center / Server with a
    personal access token (bearer)."""

    kind = TrackerKind.JIRA

    def auth_headers(self, token: str, username: str) -> dict[str, str]:
        return {} if username else {"Authorization": f"Bearer {token}"}

    def _issue(self, key: str, fields: dict) -> Issue:
        category = (fields.get("status") or {}).get("statusCategory") or {}
        return Issue(key=key, url=f"{self.base_url}/browse/{key}", closed=category.get("key") == "done")

    def check(self) -> None:
        self.call("GET", f"/rest/api/2/project/{quote(self.project, safe='')}")

    def find(self, marker: str) -> Issue | None:
        jql = f'project = "{self.project}" AND text ~ "\\"{marker}\\""'
        params = {"jql": jql, "fields": "status", "maxResults": 1}
        # Jira Cloud's enhanced search; Jira Data Center and Server have only the older /search.
        found = self.call("GET", "/rest/api/2/search/jql", params=params, missing_ok=True)
        if found is None:
            found = self.call("GET", "/rest/api/2/search", params=params)
        issues = found.json().get("issues", [])
        return self._issue(issues[0]["key"], issues[0].get("fields", {})) if issues else None

    def create(self, content: IssueContent) -> Issue:
        fields = {
            "project": {"key": self.project},
            "issuetype": {"name": "Task"},
            "summary": content.title,
            "description": content.body,
            "labels": list(content.labels),
        }
        key = self.call("POST", "/rest/api/2/issue", json={"fields": fields}).json()["key"]
        return Issue(key=key, url=f"{self.base_url}/browse/{key}", closed=False)

    def get(self, key: str) -> Issue | None:
        response = self.call("GET", f"/rest/api/2/issue/{key}", params={"fields": "status"}, missing_ok=True)
        return self._issue(key, response.json().get("fields", {})) if response is not None else None

    def update(self, issue: Issue, *, content: IssueContent | None, closed: bool) -> Issue:
        if content is not None:
            fields = {"summary": content.title, "description": content.body, "labels": list(content.labels)}
            self.call("PUT", f"/rest/api/2/issue/{issue.key}", json={"fields": fields})
        if closed != issue.closed:
            transitions = self.call("GET", f"/rest/api/2/issue/{issue.key}/transitions").json().get("transitions", [])
            wanted = [t for t in transitions if ((t.get("to") or {}).get("statusCategory") or {}).get("key") == "done"]
            if not closed:
                wanted = [t for t in transitions if t not in wanted]
            if not wanted:
                raise TrackerError(SyncError.REFUSED, status=409)  # the workflow offers no way there
            self.call(
                "POST", f"/rest/api/2/issue/{issue.key}/transitions", json={"transition": {"id": wanted[0]["id"]}}
            )
        return Issue(key=issue.key, url=issue.url, closed=closed)


CLIENTS: dict[str, type[TrackerClient]] = {
    TrackerKind.GITHUB: GitHubClient,
    TrackerKind.GITLAB: GitLabClient,
    TrackerKind.JIRA: JiraClient,
}


def client_for(connection: TrackerConnection) -> TrackerClient:
    """The connection's client; ``TrackerError`` when its token cannot be decrypted (keys changed)."""
    try:
        token = decrypt_token(connection.token_encrypted)
    except TokenUnreadable:
        raise TrackerError(SyncError.TOKEN) from None
    return CLIENTS[connection.kind](
        base_url=connection.base_url, project=connection.project, token=token, username=connection.username
    )
