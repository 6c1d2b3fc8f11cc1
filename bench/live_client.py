"""A small asyncio HTTP client (one connection per request, as gunicorn's sync workers close it)
that signs in like a browser, and readers of the fragments the review pages send."""

import asyncio
import html
import json
import re
import time
from dataclasses import dataclass
from http.cookies import SimpleCookie
from urllib.parse import urlencode

from bench.server import HOST

REQUEST_TIMEOUT = 30.0


@dataclass
class Response:
    status: int
    headers: dict[str, list[str]]
    body: str

    def header(self, name: str) -> str:
        return (self.headers.get(name.lower()) or [""])[0]


async def http(port: int, method: str, path: str, *, body: bytes = b"", headers: dict | None = None) -> Response:
    head = [f"{method} {path} HTTP/1.1", f"Host: {HOST}:{port}", "Connection: close"]
    head += [f"{k}: {v}" for k, v in (headers or {}).items()]
    if body or method == "POST":
        head.append(f"Content-Length: {len(body)}")
    reader, writer = await asyncio.open_connection(HOST, port)
    try:
        writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + body)
        await writer.drain()
        raw = await reader.read()  # to the end: the server closes after the response
    finally:
        writer.close()
    header_block, _sep, payload = raw.partition(b"\r\n\r\n")
    lines = header_block.decode("latin-1").split("\r\n")
    if not lines[0].startswith("HTTP/1."):
        raise ConnectionError(f"no HTTP response ({len(raw)} bytes)")
    parsed: dict[str, list[str]] = {}
    for line in lines[1:]:
        name, _colon, value = line.partition(":")
        parsed.setdefault(name.strip().lower(), []).append(value.strip())
    if "chunked" in (parsed.get("transfer-encoding") or [""])[0]:
        payload = _dechunk(payload)
    return Response(int(lines[0].split()[1]), parsed, payload.decode("utf-8", "replace"))


def _dechunk(data: bytes) -> bytes:
    out, pos = b"", 0
    while True:
        end = data.index(b"\r\n", pos)
        size = int(data[pos:end].split(b";")[0], 16)
        if size == 0:
            return out
        out += data[end + 2 : end + 2 + size]
        pos = end + 2 + size + 2


class Browser:
    """Cookies and CSRF like a browser tab; every request is timed."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    async def request(self, method: str, path: str, data: dict | None = None, *, htmx: bool = False):
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = b""
        if data is not None:
            body = urlencode(data, doseq=True).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["X-CSRFToken"] = self.cookies.get("csrftoken", "")
        if htmx:
            headers["HX-Request"] = "true"
        start = time.perf_counter()
        response = await asyncio.wait_for(http(self.port, method, path, body=body, headers=headers), REQUEST_TIMEOUT)
        seconds = time.perf_counter() - start
        for header in response.headers.get("set-cookie", []):
            for key, morsel in SimpleCookie(header).items():
                self.cookies[key] = morsel.value
        return seconds, response

    async def sign_in(self, username: str, password: str) -> None:
        _, page = await self.request("GET", "/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.body).group(1)
        _, response = await self.request(
            "POST", "/accounts/login/", {"username": username, "password": password, "csrfmiddlewaretoken": token}
        )
        if response.status != 302:
            raise RuntimeError(f"sign-in of {username} answered {response.status}")


@dataclass(frozen=True)
class Seen:
    """One question's answer as a page shows it."""

    version: int
    choices: frozenset[str]
    notes: str


def _answer_data(body: str, key: str) -> dict | None:
    """The answer a page or fragment hands to its script (``#answer-data-KEY``), decoded."""
    match = re.search(rf'id="answer-data-{re.escape(key)}"[^>]*data-answer="([^"]*)"', body)
    return json.loads(html.unescape(match.group(1))) if match else None


def read_version(body: str, key: str) -> int | None:
    data = _answer_data(body, key)
    return data["version"] if data else None


def read_fields(body: str, key: str) -> tuple[frozenset[str], str] | None:
    """The ticked choices and the notes of a question, when the page or fragment carries its answer."""
    data = _answer_data(body, key)
    return (frozenset(data["choices"]), data["notes"]) if data else None


def read_seen(body: str, key: str) -> Seen | None:
    version, fields = read_version(body, key), read_fields(body, key)
    if version is None or fields is None:
        return None
    return Seen(version, *fields)


def read_live(body: str) -> dict | None:
    """The live poller's next query (rev, page, seen, lead) from <div id="live" hx-vals='...'>."""
    match = re.search(r"<div id=\"live\"[^>]*?hx-vals='([^']*)'", body)
    return json.loads(html.unescape(match.group(1))) if match else None
