"""A tiny keep-alive HTTP client that signs in to the app like a browser (cookies, CSRF)."""

import http.client
import re
import time
from http.cookies import SimpleCookie
from urllib.parse import urlencode


class Browser:
    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        self.conn = http.client.HTTPConnection(host, port, timeout=30)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, data: dict | None = None, headers: dict | None = None):
        body = urlencode(data, doseq=True) if data is not None else None
        hdrs = {"Host": f"{self.host}:{self.port}", "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if body is not None:
            hdrs["Content-Type"] = "application/x-www-form-urlencoded"
            hdrs["X-CSRFToken"] = self.cookies.get("csrftoken", "")
            hdrs["Referer"] = f"http://{self.host}:{self.port}/"
        hdrs.update(headers or {})
        self.conn.request(method, path, body=body, headers=hdrs)
        response = self.conn.getresponse()
        payload = response.read()
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie(header)
            for key, morsel in cookie.items():
                self.cookies[key] = morsel.value
        return response.status, payload

    def timed(self, method: str, path: str, data: dict | None = None, headers: dict | None = None):
        start = time.perf_counter()
        status, payload = self.request(method, path, data, headers)
        return time.perf_counter() - start, status, payload

    def sign_in(self, username: str, password: str) -> None:
        status, page = self.request("GET", "/accounts/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
        status, _ = self.request(
            "POST", "/accounts/login/", {"username": username, "password": password, "csrfmiddlewaretoken": token}
        )
        if status != 302:
            raise RuntimeError(f"sign-in failed with status {status}")
