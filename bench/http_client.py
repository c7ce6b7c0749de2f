"""A small HTTP client for the benchmarks that drive the app from outside: cookies, the
CSRF token and the forms of a page, and, against production settings over plain HTTP,
the headers a TLS-terminating proxy would add. Standard library only. Only 127.0.0.1
(or localhost) may be targeted.

Two ways to connect: a new connection per request (the default, like a browser talking
to gunicorn's sync workers, which close after each response; the races also connect
first and send later), or one keep-alive connection reopened when the server closes it
(`keep_alive=True`: the soak's browsers, the peer comparison's clients)."""

import html
import http.client
import http.cookies
import re
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from html.parser import HTMLParser

LOGIN_PATH = "/accounts/login/"
LOCAL_HOSTS = {"127.0.0.1", "localhost"}


# HTML form parsing ---------------------------------------------------------------------
class FormParser(HTMLParser):
    """Every <form> on the page with what a browser would send: `fields` (inputs with
    their values, checked checkboxes, each select's selected or first option, textareas
    empty), `hidden` (the hidden inputs alone), `radios` (each group's choices) and
    `textareas` (their names); and the page's <title>."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self.title = ""
        self._in_title = False
        self._select = None
        self._first_option = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "title":
            self._in_title = True
        elif tag == "form":
            self.forms.append(
                {"action": a.get("action", ""), "fields": {}, "hidden": {}, "radios": {},
                 "textareas": []}
            )  # fmt: skip
        elif not self.forms:
            return
        elif tag == "input" and a.get("name"):
            kind = (a.get("type") or "text").lower()
            form = self.forms[-1]
            if kind == "radio":
                form["radios"].setdefault(a["name"], []).append(a.get("value", ""))
            elif kind == "checkbox":
                if "checked" in a:
                    form["fields"][a["name"]] = a.get("value", "on")
            elif kind not in {"submit", "button"}:
                form["fields"][a["name"]] = a.get("value") or ""
                if kind == "hidden":
                    form["hidden"][a["name"]] = a.get("value") or ""
        elif tag == "textarea" and a.get("name"):
            self.forms[-1]["fields"][a["name"]] = ""
            self.forms[-1]["textareas"].append(a["name"])
        elif tag == "select" and a.get("name"):
            self._select = a["name"]
            self._first_option = True
        elif tag == "option" and self._select:
            # As a browser sends it: the selected option, else the first one.
            if "selected" in a or self._first_option:
                self.forms[-1]["fields"][self._select] = a.get("value", "")
            self._first_option = False

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._in_title:
            self.title += data


def parse_page(body: bytes) -> FormParser:
    parser = FormParser()
    parser.feed(body.decode("utf-8", "replace"))
    return parser


def find_form(body: bytes, field_name: str) -> dict:
    """The first form with a field (or radio group) of that name."""
    for form in parse_page(body).forms:
        if field_name in form["fields"] or field_name in form["radios"]:
            return form
    raise RuntimeError(f"no form with a {field_name!r} field on the page")


def hidden_fields(form: dict) -> dict:
    return dict(form["hidden"])


# A form's hidden inputs (the CSRF and one-time tokens) read with a regular expression.
# Load generators share this machine's 2 cores with the servers they measure: parsing a
# whole page with HTMLParser (pure Python) cost the client about 2 ms of CPU per GET, work
# a browser does on its own machine. The first page of a run is parsed in full and checked
# against this (registration_throughput.py, peer_compare.py).
_HIDDEN = re.compile(rb'<input type="hidden" name="([^"]+)" value="([^"]*)"')


def form_hidden(body: bytes, form_class: bytes, field_name: str) -> dict | None:
    """The hidden inputs of the <form> whose tag mentions `form_class` and which has a
    `field_name` field; None when the page has no such form."""
    match = re.search(rb"<form [^>]*" + re.escape(form_class) + rb".*?</form>", body, re.S)
    if match is None or f'name="{field_name}"'.encode() not in match[0]:
        return None
    return {k.decode(): html.unescape(v.decode()) for k, v in _HIDDEN.findall(match[0])}


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
    """One browser: its own cookies, redirects not followed; a new connection per request
    unless `keep_alive`."""

    base_url: str
    tls_proxy: bool = False
    keep_alive: bool = False
    user_agent: str = "clinic-bench/1"
    timeout: float = 60
    cookies: dict = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    conn: http.client.HTTPConnection | None = None

    def __post_init__(self):
        parts = urllib.parse.urlsplit(self.base_url)
        if parts.hostname not in LOCAL_HOSTS:
            raise SystemExit(f"{self.base_url}: only 127.0.0.1 may be targeted")
        self.host, self.port = parts.hostname, parts.port or 80

    @property
    def origin(self) -> str:
        return f"{'https' if self.tls_proxy else 'http'}://{self.host}:{self.port}"

    def connect(self) -> http.client.HTTPConnection:
        conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        conn.connect()
        return conn

    def headers(self, path: str, form: bool) -> dict:
        headers = {"User-Agent": self.user_agent}
        if not self.keep_alive:
            headers["Connection"] = "close"
        if self.tls_proxy:
            headers["X-Forwarded-Proto"] = "https"
        with self.lock:
            if self.cookies:
                headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if form:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = self.origin
            headers["Referer"] = self.origin + path
        return headers

    def send(
        self, conn, method: str, path: str, body: bytes | None = None, headers=None
    ) -> Response:
        """Send on an already connected socket (a form when POST without `headers`); time
        from sending to the last byte read. Closes the connection unless keep-alive."""
        if headers is None:
            headers = self.headers(path, form=method == "POST")
        else:
            headers = {**self.headers(path, form=False), **headers}
        start = time.perf_counter()
        conn.request(method, path, body=body, headers=headers)
        resp = conn.getresponse()
        data = resp.read()
        ms = (time.perf_counter() - start) * 1000
        self.store_cookies(resp.msg.get_all("Set-Cookie") or [])
        if not self.keep_alive or (resp.getheader("Connection") or "").lower() == "close":
            conn.close()
            if conn is self.conn:
                self.conn = None
        return Response(resp.status, {k.lower(): v for k, v in resp.getheaders()}, data, ms)

    def request(
        self,
        method: str,
        path: str,
        data: dict | None = None,
        *,
        body: bytes | None = None,
        headers: dict | None = None,
    ) -> Response:
        """`data`: a form, sent urlencoded; or `body` with its own `headers`."""
        if data is not None:
            body = urllib.parse.urlencode(data, doseq=True).encode()
        if not self.keep_alive:
            return self.send(self.connect(), method, path, body, headers)
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = self.connect()
            try:
                return self.send(self.conn, method, path, body, headers)
            except (http.client.HTTPException, ConnectionError):
                # A keep-alive connection the server closed (worker recycled): once more.
                self.conn.close()
                self.conn = None
                if attempt == 2:
                    raise
        raise RuntimeError("unreachable")

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
