"""One local fake of the GitHub, GitLab and Jira issue APIs (the parts reviewapp.trackers calls).

It keeps issues in memory, accepts one token (as a GitHub/Jira bearer token, GitLab's
PRIVATE-TOKEN or Jira's basic auth), and can be told to fail: the next answers scripted
(``fail_next``: 429 with Retry-After, 5xx…), the whole tracker down (503), a lost answer to a
create (the issue is made, the client gets 502), a revoked token (401).
"""

import base64
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

JIRA_PROJECT = "WA"
DONE = {"key": "done"}
NEW = {"key": "new"}


class FakeTracker:
    def __init__(self, token: str = "tok-good-1234567890"):
        self.token = token
        self.issues: dict[int, dict] = {}
        self.requests: list[tuple[str, str]] = []
        self.headers_seen: list[dict] = []
        self.failures: list[tuple[int, dict]] = []
        self.down = False
        self.lose_create_answer = 0
        self.data_center = False  # Jira Data Center / Server: no /search/jql, only /search
        self.lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"null") if length else None
                with fake.lock:
                    code, payload, headers = fake.answer(self.command, self.path, dict(self.headers), body)
                data = b"" if payload is None else json.dumps(payload).encode()
                self.send_response(code)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_PATCH = _serve

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()

    # What the tests do "in the tracker".
    def fail_next(self, *answers: tuple[int, dict]):
        self.failures.extend(answers)

    def set_closed(self, number: int, closed: bool):
        self.issues[number]["closed"] = closed

    def delete(self, number: int):
        del self.issues[number]

    def calls(self, method: str) -> int:
        return sum(1 for m, _path in self.requests if m == method)

    # The server side.
    def _authorised(self, headers: dict) -> bool:
        auth = headers.get("Authorization", "")
        if auth == f"Bearer {self.token}" or headers.get("PRIVATE-TOKEN") == self.token:
            return True
        if auth.startswith("Basic "):
            return base64.b64decode(auth[6:]).decode().split(":", 1)[-1] == self.token
        return False

    def answer(self, method: str, raw_path: str, headers: dict, body) -> tuple[int, object, dict]:
        self.requests.append((method, raw_path))
        self.headers_seen.append(headers)
        if self.down:
            return 503, {"message": "Service Unavailable"}, {}
        if self.failures:
            code, extra = self.failures.pop(0)
            return code, {"message": "scripted failure"}, extra
        if not self._authorised(headers):
            return 401, {"message": "Bad credentials"}, {}
        parts = urlsplit(raw_path)
        path, query = parts.path, {k: v[0] for k, v in parse_qs(parts.query).items()}
        if path.startswith("/api/v4/"):
            return self._gitlab(method, path[len("/api/v4") :], query, body)
        if path.startswith("/rest/api/2/"):
            return self._jira(method, path[len("/rest/api/2") :], query, body)
        return self._github(method, path, query, body)

    def _create(self, title, body, labels) -> tuple[int, dict]:
        number = max(self.issues, default=0) + 1
        self.issues[number] = {"title": title, "body": body, "labels": list(labels), "closed": False}
        return number, self.issues[number]

    def _search(self, marker: str) -> list[int]:
        return [n for n, issue in self.issues.items() if marker in issue["body"]]

    def _lost(self, number: int, payload):
        if self.lose_create_answer:
            self.lose_create_answer -= 1
            return 502, {"message": "Bad Gateway"}, {}
        return 201, payload, {}

    # GitHub REST v3
    def _gh(self, n: int) -> dict:
        issue = self.issues[n]
        return {
            "number": n,
            "html_url": f"{self.url}/acme/shop/issues/{n}",
            "state": "closed" if issue["closed"] else "open",
            "title": issue["title"],
            "body": issue["body"],
            "labels": [{"name": label} for label in issue["labels"]],
        }

    def _github(self, method, path, query, body):
        if method == "GET" and path == "/repos/acme/shop":
            return 200, {"full_name": "acme/shop"}, {}
        if method == "GET" and path == "/search/issues":
            marker = re.search(r'"([^"]+)"', query.get("q", "")).group(1)
            return 200, {"items": [self._gh(n) for n in self._search(marker)]}, {}
        if method == "GET" and path == "/repos/acme/shop/issues":
            self.listed = [
                n for n in sorted(self.issues, reverse=True) if query.get("labels") in self.issues[n]["labels"]
            ]
            return 200, [self._gh(n) for n in self.listed[: int(query.get("per_page", 30))]], {}
        if method == "POST" and path == "/repos/acme/shop/issues":
            number, _issue = self._create(body["title"], body["body"], body.get("labels", []))
            return self._lost(number, self._gh(number))
        match = re.fullmatch(r"/repos/acme/shop/issues/(\d+)", path)
        if match:
            n = int(match.group(1))
            if n not in self.issues:
                return 404, {"message": "Not Found"}, {}
            if method == "PATCH":
                issue = self.issues[n]
                issue.update({k: body[k] for k in ("title", "body", "labels") if k in body})
                if "state" in body:
                    issue["closed"] = body["state"] == "closed"
            return 200, self._gh(n), {}
        return 404, {"message": "Not Found"}, {}

    # GitLab REST v4
    def _gl(self, n: int) -> dict:
        issue = self.issues[n]
        return {
            "iid": n,
            "web_url": f"{self.url}/acme/shop/-/issues/{n}",
            "state": "closed" if issue["closed"] else "opened",
            "title": issue["title"],
            "description": issue["body"],
            "labels": issue["labels"],
        }

    def _gitlab(self, method, path, query, body):
        prefix = "/projects/acme%2Fshop"
        if not path.startswith(prefix):
            return 404, {"message": "404 Project Not Found"}, {}
        rest = path[len(prefix) :]
        if method == "GET" and rest == "":
            return 200, {"path_with_namespace": "acme/shop"}, {}
        if method == "GET" and rest == "/issues":
            return 200, [self._gl(n) for n in self._search(unquote(query.get("search", "")))], {}
        if method == "POST" and rest == "/issues":
            labels = [label for label in body.get("labels", "").split(",") if label]
            number, _issue = self._create(body["title"], body["description"], labels)
            return self._lost(number, self._gl(number))
        match = re.fullmatch(r"/issues/(\d+)", rest)
        if match:
            n = int(match.group(1))
            if n not in self.issues:
                return 404, {"message": "404 Not found"}, {}
            if method == "PUT":
                issue = self.issues[n]
                if "title" in body:
                    issue["title"] = body["title"]
                if "description" in body:
                    issue["body"] = body["description"]
                if "labels" in body:
                    issue["labels"] = [label for label in body["labels"].split(",") if label]
                if "state_event" in body:
                    issue["closed"] = body["state_event"] == "close"
            return 200, self._gl(n), {}
        return 404, {"message": "404 Not found"}, {}

    # Jira REST v2
    def _jr(self, n: int) -> dict:
        issue = self.issues[n]
        status = {"name": "Done" if issue["closed"] else "To Do", "statusCategory": DONE if issue["closed"] else NEW}
        fields = {"summary": issue["title"], "description": issue["body"], "labels": issue["labels"], "status": status}
        return {"key": f"{JIRA_PROJECT}-{n}", "fields": fields}

    def _jira(self, method, path, query, body):
        if method == "GET" and path == f"/project/{JIRA_PROJECT}":
            return 200, {"key": JIRA_PROJECT}, {}
        if method == "GET" and path == "/search/jql" and self.data_center:
            return 404, {"errorMessages": ["null for uri: /rest/api/2/search/jql"]}, {}
        if method == "GET" and path in ("/search/jql", "/search"):
            marker = re.search(r'\\"([^"\\]+)\\"', query.get("jql", "")).group(1)
            return 200, {"issues": [self._jr(n) for n in self._search(marker)]}, {}
        if method == "POST" and path == "/issue":
            fields = body["fields"]
            assert fields["project"] == {"key": JIRA_PROJECT}
            number, _issue = self._create(fields["summary"], fields["description"], fields.get("labels", []))
            return self._lost(number, {"id": str(1000 + number), "key": f"{JIRA_PROJECT}-{number}"})
        match = re.fullmatch(rf"/issue/{JIRA_PROJECT}-(\d+)(/transitions)?", path)
        if match:
            n = int(match.group(1))
            if n not in self.issues:
                return 404, {"errorMessages": ["Issue does not exist"]}, {}
            issue = self.issues[n]
            if match.group(2) and method == "GET":
                transitions = [
                    {"id": "11", "to": {"statusCategory": NEW}},
                    {"id": "31", "to": {"statusCategory": DONE}},
                ]
                return 200, {"transitions": transitions}, {}
            if match.group(2) and method == "POST":
                issue["closed"] = body["transition"]["id"] == "31"
                return 204, None, {}
            if method == "PUT":
                fields = body["fields"]
                issue.update({"title": fields.get("summary", issue["title"]), "labels": fields.get("labels", [])})
                issue["body"] = fields.get("description", issue["body"])
                return 204, None, {}
            return 200, self._jr(n), {}
        return 404, {"errorMessages": ["Not found"]}, {}


PROJECTS = {"github": "acme/shop", "gitlab": "acme/shop", "jira": JIRA_PROJECT}


def issue_number(kind: str, key: str) -> int:
    return int(key.rsplit("-", 1)[-1]) if kind == "jira" else int(key)
