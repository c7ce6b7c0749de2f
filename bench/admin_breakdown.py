"""Where a lot-tracked administration's time goes, served (issue 14: the peer ratio).

Two roles in one file:

- imported by gunicorn (`--pythonpath bench admin_breakdown:application`): the clinic's
  WSGI application, with each POST of the three writes (start, draft save, sign) timed
  in the worker: its whole time, its SQL (statements and time, round trips included) and
  the time in each function named in PARTS. One JSON line per POST, in BREAKDOWN_DIR.
- run as a script (`bench/admin_breakdown.sh` does both): N administrations over HTTP
  with peer_compare's client, a signed-in POST that does nothing (the session ping: what
  every request costs before its view), then the table of medians, the first third of
  the administrations left out (statements not yet prepared on a new connection).

Every part is timed where it is called from (a function imported by name is wrapped in
the module that calls it), and includes the SQL it runs.
"""

from __future__ import annotations

import functools
import importlib
import json
import os
import statistics
import sys
import time
from pathlib import Path

# (label, "module:attribute[.attribute]"): the view's reads, forms and services.
PARTS = [
    ("view: session read, locked, with points", "treatments.selectors:session_get_for_editor"),
    ("view: patient read for a start", "treatments.selectors:patient_for_session_start"),
    ("view: forms built (vials, sites, top-ups)", "treatments.views.sessions:_editor"),
    ("  of which usable vials read", "treatments.selectors:vial_list_usable"),
    ("  of which usable vials read", "treatments.selectors:vial_list_usable_for_draft"),
    ("  of which SessionForm()", "treatments.forms.sessions:SessionForm.__init__"),
    ("view: SessionForm validated", "treatments.forms.sessions:SessionForm.full_clean"),
    ("view: points parsed", "treatments.forms.points:BasePointFormSet.submitted_points"),
    ("request body parsed", "django.http.request:HttpRequest._load_post_and_files"),
    ("service: session_start", "treatments.services:session_start"),
    ("  of which the one INSERT statement", "treatments.services.sessions:insert_with_history"),
    ("service: session_save_draft", "treatments.services:session_save_draft"),
    ("service: session_sign", "treatments.services:session_sign"),
    ("  locked read (taken from the view's)", "treatments.services.sessions:locked_draft"),
    ("  locked read (taken from the view's)", "treatments.services.signing:locked_draft"),
    ("  draft applied", "treatments.services.sessions:apply_draft"),
    ("  draft applied", "treatments.services.signing:apply_draft"),
    ("  engine's inputs read", "treatments.selectors:safety_inputs_for_session"),
    ("  rules evaluated", "treatments.selectors.safety_inputs:SafetyInputs.evaluate"),
    ("  signed row, findings, tasks", "treatments.services.signing:update_with_history"),
    ("  summaries (rollups)", "treatments.services.rollups:record_signed_session"),
    ("access event written", "clinic.audit:record_access"),
]
STEPS = ("start", "draft", "sign")
_now: dict[str, float] = {}


def _wrap(label: str, target: str) -> None:
    module_name, _, path = target.partition(":")
    owner = importlib.import_module(module_name)
    *outer, name = path.split(".")
    for attribute in outer:
        owner = getattr(owner, attribute)
    original = getattr(owner, name)

    @functools.wraps(original)
    def timed(*args, **kwargs):
        start = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            _now[label] = _now.get(label, 0.0) + (time.perf_counter() - start) * 1000

    setattr(owner, name, timed)


def _serving():
    from django.db import connection

    from clinic.wsgi import application as clinic

    for label, target in PARTS:
        _wrap(label, target)
    out = Path(os.environ["BREAKDOWN_DIR"])
    out.mkdir(parents=True, exist_ok=True)

    def sql(execute, statement, params, many, context):
        start = time.perf_counter()
        try:
            return execute(statement, params, many, context)
        finally:
            _now["SQL (time)"] = _now.get("SQL (time)", 0.0) + (time.perf_counter() - start) * 1000
            _now["SQL (statements)"] = _now.get("SQL (statements)", 0) + 1

    def application(environ, start_response):
        path = environ.get("PATH_INFO", "")
        step = "start" if path.endswith("/sessions/new/") else "edit"
        if environ.get("REQUEST_METHOD") != "POST" or not path.endswith(("/new/", "/edit/")):
            return clinic(environ, start_response)
        headers = {}

        def remember(status, response_headers, *rest):
            headers.update(response_headers)
            return start_response(status, response_headers, *rest)

        _now.clear()
        start = time.perf_counter()
        with connection.execute_wrapper(sql):
            body = list(clinic(environ, remember))
        _now["whole request (in the worker)"] = (time.perf_counter() - start) * 1000
        if step == "edit":  # a saved draft comes back to the editor; a signed one does not
            step = "draft" if headers.get("Location", "").endswith("/edit/") else "sign"
        with open(out / f"{os.getpid()}.jsonl", "a") as fh:
            fh.write(json.dumps({"step": step, **_now}) + "\n")
        return body

    return application


def main(argv: list[str]) -> int:
    base_url, setup_path, password, out = argv
    sys.path.insert(0, str(Path(__file__).parent))
    from peer_compare import Ours, find_form

    setup = json.loads(Path(setup_path).read_text())
    ours = Ours(base_url, "bench_peer_practitioner", password)
    client = []
    patients = setup["patients"]
    for number, patient in enumerate(patients, start=1):
        client.append(ours.administration(patient, setup["indication"], setup["product"]))
        if number % 10 == 0:
            print(f"  {number}/{len(patients)} administrations", flush=True)
    # A signed-in POST that does nothing: the session ping (what each request costs
    # before and after its view: HTTP, middleware, session, CSRF).
    page = ours.http.request("GET", f"/patients/{patients[0]}/sessions/new/").body
    token = {"csrfmiddlewaretoken": find_form(page, "indication")["fields"]["csrfmiddlewaretoken"]}
    pings = [ours.http.request("POST", "/accounts/session/ping/", token).ms for _ in range(200)]

    rows = [
        json.loads(line)
        for path in Path(out).glob("*.jsonl")
        for line in path.read_text().splitlines()
    ]
    skip = len(patients) // 3
    kept = {step: [r for r in rows if r["step"] == step][skip:] for step in STEPS}
    warm = client[skip:]

    def p50(values) -> str:
        values = list(values)
        return f"{statistics.median(values):7.2f}" if values else "      -"

    print(f"\n{len(warm)} administrations (the first {skip} left out), median ms per step\n")
    print(f"{'':44}" + " ".join(f"{step:>7}" for step in STEPS))
    print(
        f"{'over HTTP (the client: as make bench-peer)':44}"
        + " ".join(p50(c[i] for c in warm) for i in range(3))
    )
    # A label twice in PARTS: the same part, called from two modules.
    parts = dict.fromkeys(label for label, _ in PARTS)
    labels = ["whole request (in the worker)", "SQL (time)", "SQL (statements)", *parts]
    for label in labels:
        cells = [p50(r.get(label, 0) for r in kept[step]) for step in STEPS]
        if any(cell.strip() not in ("0.00", "-") for cell in cells):
            print(f"{label:44}" + " ".join(cells))
    total = statistics.median(sum(c) for c in warm)
    print(f"\nadministration (3 writes) over HTTP: {total:.2f} ms")
    # The first ones: their statements' first runs on each thread's connection (planned
    # afresh: what a clinic's administrations mostly are, bench/README.md).
    first = statistics.median(sum(c) for c in client[:skip])
    print(f"  the first {skip} (connections cold), p50: {first:.2f} ms")
    ping = statistics.median(pings[20:])
    print(f"a signed-in POST that does nothing (session ping), p50: {ping:.2f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
else:
    application = _serving()
