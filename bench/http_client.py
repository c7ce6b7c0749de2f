"""A small HTTP client for the benchmarks that drive the app from outside: cookies, the
CSRF token and the forms of a page, and, against production settings over plain HTTP,
the headers a TLS-terminating proxy would add. Standard library only."""

import http.client
import http.cookies
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from html.parser import HTMLParser

LOGIN_PATH = "/accounts/login/"


# HTML form parsing ---------------------------------------------------------------------
class FormParser(HTMLParser):
    """Every <form> on the page with its <input>/<select>/<textarea> names and values."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append({"attrs": attrs, "inputs": []})
        elif tag in {"input", "select", "textarea"} and self.forms and attrs.get("name"):
            self.forms[-1]["inputs"].append(
                {
                    "name": attrs["name"],
                    "type": (attrs.get("type") or tag).lower(),
                    "value": attrs.get("value") or "",
                }
            )
        elif tag == "title":
            self._in_title = True

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.title += data


def parse_page(body: bytes) -> FormParser:
    parser = FormParser()
    parser.feed(body.decode("utf-8", "replace"))
    return parser


def find_form(body: bytes, field_name: str) -> dict:
    for form in parse_page(body).forms:
        if any(item["name"] == field_name for item in form["inputs"]):
            return form
    raise RuntimeError(f"no form with a {field_name!r} field on the page")


def hidden_fields(form: dict) -> dict:
    return {item["name"]: item["value"] for item in form["inputs"] if item["type"] == "hidden"}


def page_title(body: bytes) -> str:
    return " ".join(parse_page(body).title.split())[:120]


# HTTP ----------------------------------------------------------------------------------
@dataclass
class Response:
    status: int
    headers: dict
    body: bytes
    ms: float

    @property
    def location(self) -> str:
        return self.headers.get("location", "")


@dataclass
class Client:
    """One browser: its own cookies, a new connection per request (like gunicorn's sync
    workers, which close after each response), redirects not followed."""

    base_url: str
    tls_proxy: bool = False
    cookies: dict = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self):
        parts = urllib.parse.urlsplit(self.base_url)
        self.host, self.port = parts.hostname, parts.port or 80

    @property
    def origin(self) -> str:
        return f"{'https' if self.tls_proxy else 'http'}://{self.host}:{self.port}"

    def connect(self) -> http.client.HTTPConnection:
        conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
        conn.connect()
        return conn

    def headers(self, path: str, post: bool) -> dict:
        headers = {"Connection": "close", "User-Agent": "registration-races/1"}
        if self.tls_proxy:
            headers["X-Forwarded-Proto"] = "https"
        with self.lock:
            if self.cookies:
                headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if post:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = self.origin
            headers["Referer"] = self.origin + path
        return headers

    def send(self, conn, method: str, path: str, body: bytes | None = None) -> Response:
        """Send on an already connected socket; time from sending to the last byte read."""
        headers = self.headers(path, post=method == "POST")
        start = time.perf_counter()
        conn.request(method, path, body=body, headers=headers)
        resp = conn.getresponse()
        data = resp.read()
        ms = (time.perf_counter() - start) * 1000
        self.store_cookies(resp.msg.get_all("Set-Cookie") or [])
        conn.close()
        return Response(resp.status, {k.lower(): v for k, v in resp.getheaders()}, data, ms)

    def request(self, method: str, path: str, data: dict | None = None) -> Response:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        return self.send(self.connect(), method, path, body)

    def store_cookies(self, set_cookie_headers: list[str]) -> None:
        with self.lock:
            for header in set_cookie_headers:
                jar = http.cookies.SimpleCookie()
                jar.load(header)
                for name, morsel in jar.items():
                    if morsel["max-age"] == "0" or not morsel.value:
                        self.cookies.pop(name, None)
                    else:
                        self.cookies[name] = morsel.value

    def login(self, username: str, password: str) -> None:
        page = self.request("GET", LOGIN_PATH)
        if (
            page.status in (301, 302)
            and page.location.startswith("https://")
            and not self.tls_proxy
        ):
            # SECURE_SSL_REDIRECT: behave like the TLS-terminating proxy in front of it.
            self.tls_proxy = True
            page = self.request("GET", LOGIN_PATH)
        if page.status != 200:
            raise SystemExit(f"GET {LOGIN_PATH} as {username}: HTTP {page.status}")
        form = hidden_fields(find_form(page.body, "username"))
        done = self.request(
            "POST", LOGIN_PATH, {**form, "username": username, "password": password}
        )
        if done.status != 302 or "login" in done.location:
            raise SystemExit(
                f"Login as {username} failed: HTTP {done.status}, Location {done.location!r}"
            )


# The invented people -------------------------------------------------------------------
