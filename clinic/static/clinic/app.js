// The clinic's own scripts. No inline scripts anywhere (Content-Security-Policy).
"use strict";
document.addEventListener("htmx:responseError", (event) => {
  const target = document.getElementById("results");
  if (target) {
    target.innerHTML = "";
    const alert = document.createElement("div");
    alert.className = "alert alert-danger";
    alert.textContent = "The search could not be completed. Please try again.";
    target.appendChild(alert);
  }
});

// Session form: add an injection-point row from the formset's empty form.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-add-point]");
  if (!button) return;
  const form = button.closest("form");
  const total = form.querySelector("input[name$='-TOTAL_FORMS']");
  const template = document.getElementById("point-template");
  const index = Number(total.value);
  const html = template.innerHTML.replaceAll("__prefix__", String(index));
  document.getElementById("points-body").insertAdjacentHTML("beforeend", html);
  total.value = String(index + 1);
  const firstField = document.getElementById("points-body").lastElementChild.querySelector("select");
  if (firstField) firstField.focus();
});

// Session form (DOMAIN §10 rule 6): volume follows units and units follow volume, at the
// chosen vial's U/mL, so what is typed in one is always consistent with the other (and
// per-site mL limits fire whatever was typed). The server does the same on saving.
document.addEventListener("input", (event) => {
  const field = event.target;
  const typed = field.dataset.pointField;
  if (typed !== "volume_ml" && typed !== "units") return;
  const form = field.closest("form");
  const select = form && form.querySelector("#id_vial");
  const chosen = select && select.selectedOptions[0];
  const perMl = Number(chosen && chosen.dataset.unitsPerMl);
  if (!perMl) return;
  const value = Number(field.value);
  const other = field.closest("tr").querySelector(
    `[data-point-field='${typed === "units" ? "volume_ml" : "units"}']`,
  );
  // Nothing usable typed (emptied, zero, negative, half a number): the other field is
  // emptied rather than worked out from it, so one mistake shows one error on saving
  // (the typed field's), and no stale volume stands beside units it no longer matches.
  if (!(value > 0)) {
    other.value = "";
  } else if (typed === "volume_ml") {
    other.value = String(Math.round(value * perMl * 100) / 100);
  } else {
    other.value = String(Math.round((value / perMl) * 1000) / 1000);
  }
});

// A page that comes back refused says why where the eye is: the element marked
// data-focus-on-load (the session editor's "Not signed") is brought into view and focused,
// so it is read out too. On an iPad the safety panel is below the points: the refused Sign
// reloaded at the top, the same form, with no reason in sight (browser review 07/12).
// A form shown again with errors puts the cursor in the first field to correct, not in the
// field the page autofocuses (registration's given name: browser review 07/12).
document.addEventListener("DOMContentLoaded", () => {
  const target = document.querySelector("[data-focus-on-load]");
  if (target) {
    target.scrollIntoView({ block: "center" });
    target.focus({ preventScroll: true });
    return;
  }
  const invalid = document.querySelector(
    "main form .is-invalid:is(input:not([type=hidden]), select, textarea):not([disabled])",
  );
  if (invalid) invalid.focus();
});

// A step taken from a long list comes back to its place (data-return-to: the home page's
// "Mark arrived" to its row, a task's Done to the next row). An autofocused search box
// would otherwise pull the page back to the top, losing reception's place in a thirty-row
// day (browser review 07/12).
window.addEventListener("load", () => {
  const id = decodeURIComponent(window.location.hash.slice(1));
  const row = id && document.getElementById(id);
  if (row && row.hasAttribute("data-return-to")) row.scrollIntoView({ block: "center" });
});

// Outcomes page: one line chart per measure from its json_script data (no inline script),
// the baseline as a dashed line and signed sessions as labelled markers on the time axis.
const ukDate = (ms) => new Date(ms).toLocaleDateString("en-GB", { timeZone: "UTC" });
document.addEventListener("DOMContentLoaded", () => {
  if (typeof Chart === "undefined") return;
  document.querySelectorAll("canvas[data-outcome-chart]").forEach((canvas) => {
    const source = document.getElementById(canvas.dataset.outcomeChart);
    if (!source) return;
    const data = JSON.parse(source.textContent);
    const time = (iso) => Date.parse(iso + "T00:00:00Z");
    const points = data.points.map((p) => ({ x: time(p.x), y: p.y }));
    const xs = points.map((p) => p.x).concat(data.sessions.map((s) => time(s.x)));
    const lowY = data.min !== null ? data.min : Math.min(...points.map((p) => p.y));
    const datasets = [
      { label: data.label, data: points, borderColor: "#1f4e79", backgroundColor: "#1f4e79", tension: 0 },
      {
        label: "Treatment session",
        data: data.sessions.map((s) => ({ x: time(s.x), y: lowY, dose: s.label })),
        showLine: false,
        pointStyle: "triangle",
        pointRadius: 8,
        borderColor: "#198754",
        backgroundColor: "#198754",
      },
    ];
    if (data.baseline !== null && xs.length) {
      datasets.push({
        label: "Baseline",
        data: [{ x: Math.min(...xs), y: data.baseline }, { x: Math.max(...xs), y: data.baseline }],
        borderDash: [6, 4],
        borderColor: "#6c757d",
        pointRadius: 0,
      });
    }
    new Chart(canvas, {
      type: "line",
      data: { datasets },
      options: {
        maintainAspectRatio: false,
        animation: false,
        scales: {
          x: { type: "linear", ticks: { callback: (value) => ukDate(value), maxTicksLimit: 8 } },
          y: {
            min: data.min !== null ? data.min : undefined,
            max: data.max !== null ? data.max : undefined,
            title: { display: Boolean(data.unit), text: data.unit },
          },
        },
        plugins: {
          tooltip: {
            callbacks: {
              title: (items) => ukDate(items[0].parsed.x),
              label: (item) => item.raw.dose || `${item.dataset.label}: ${item.parsed.y} ${data.unit}`,
            },
          },
        },
      },
    });
  });
});

// --- Print buttons and the side-effect form ------------------------------------------
// [data-print] prints the page (no inline onclick under the CSP). On the side-effect
// form, the seriousness criteria are shown only once "Serious" is chosen, and the
// Yellow Card reference / reason only for the matching decision.
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) window.print();
});
document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector(".side-effect-form");
  if (!form) return;
  const criteria = form.querySelector(".seriousness-criteria");
  const reference = form.querySelector("[name=yellow_card_reference]");
  const reason = form.querySelector("[name=not_reported_reason]");
  const wrapper = (input) => input && input.closest(".mb-3, [class*=col-]");
  const sync = () => {
    const serious = form.querySelector("[name=serious]:checked");
    if (criteria) criteria.hidden = !serious || serious.value !== "yes";
    const decision = form.querySelector("[name=regulator_decision]:checked");
    const value = decision ? decision.value : "";
    if (wrapper(reference)) wrapper(reference).hidden = value !== "reported";
    if (wrapper(reason)) wrapper(reason).hidden = value !== "not-reported";
  };
  form.addEventListener("change", sync);
  sync();
});

// --- Enter where it must not send the form ------------------------------------------
// Enter in a form's field presses its first submit button. Two places where no button
// is what the person meant:
// - The booking and waiting-list forms find the patient as you type (htmx lists them to
//   pick from). Enter in that box sent the whole form half filled in: the booking page
//   came back with four errors and the search gone. In a box marked
//   [data-enter-searches], Enter looks the patient up again (the box's htmx "search").
// - On the recall list the boxes come ticked for everyone who agreed to recalls: Enter on
//   one sent recall messages to all the ticked patients. In a form marked
//   [data-enter-sends-nothing], Enter in a field does nothing; its button still sends.
document.addEventListener("keydown", (event) => {
  if (event.key !== "Enter" || event.isComposing) return;
  const field = event.target;
  if (!(field instanceof HTMLInputElement)) return;
  if (field.matches("[data-enter-searches]")) {
    event.preventDefault();
    field.dispatchEvent(new Event("search"));
  } else if (field.form && field.form.matches("[data-enter-sends-nothing]")) {
    if (!["submit", "image"].includes(field.type)) event.preventDefault();
  }
});

// --- Idle sign-out warning (issue 6, security) ----------------------------------------
// The server signs a user out after 15 minutes without a request (SessionLimitsMiddleware).
// <body data-session-seconds-left> says how long this page has; SESSION_IDLE_WARNING
// seconds before the end a warning offers "Stay signed in", which POSTs to the ping URL
// (that request is the activity). Any htmx request also counts as activity on the server,
// so the countdown restarts after one. At zero the page reloads: the server shows the
// sign-in page with the reason.
(() => {
  const body = document.body;
  if (!body || !body.dataset.sessionSecondsLeft) return;
  const warnAt = Number(body.dataset.sessionWarning || 120);
  const pingUrl = body.dataset.sessionPing;
  let deadline = Date.now() + Number(body.dataset.sessionSecondsLeft) * 1000;
  let alertBox = null;

  const csrfToken = () => {
    try {
      return JSON.parse(body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (error) {
      return "";
    }
  };
  const hideWarning = () => {
    if (alertBox) alertBox.remove();
    alertBox = null;
  };
  const showWarning = (seconds) => {
    if (!alertBox) {
      alertBox = document.createElement("div");
      alertBox.className = "alert alert-warning shadow session-warning d-flex align-items-center gap-3";
      alertBox.setAttribute("role", "alertdialog");
      alertBox.setAttribute("aria-live", "assertive");
      alertBox.dataset.testid = "session-warning";
      const text = document.createElement("span");
      text.className = "session-warning-text";
      const button = document.createElement("button");
      button.type = "button";
      button.className = "btn btn-sm btn-primary";
      button.textContent = "Stay signed in";
      button.addEventListener("click", stayIn);
      alertBox.append(text, button);
      document.body.append(alertBox);
      button.focus();
    }
    const minutes = Math.floor(seconds / 60);
    const rest = String(seconds % 60).padStart(2, "0");
    alertBox.querySelector(".session-warning-text").textContent =
      `For privacy you will be signed out in ${minutes}:${rest} unless you carry on.`;
  };
  const restart = (seconds) => {
    deadline = Date.now() + seconds * 1000;
    hideWarning();
  };
  const stayIn = () => {
    fetch(pingUrl, {
      method: "POST",
      headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" },
      credentials: "same-origin",
    })
      .then((response) => response.json())
      .then((data) => (data.signed_in ? restart(data.seconds_left) : window.location.reload()))
      .catch(() => window.location.reload());
  };
  document.body.addEventListener("htmx:afterRequest", (event) => {
    if (event.detail && event.detail.successful) restart(Number(body.dataset.sessionAfterRequest));
  });
  setInterval(() => {
    const seconds = Math.max(0, Math.round((deadline - Date.now()) / 1000));
    if (seconds === 0) window.location.reload();
    else if (seconds <= warnAt) showWarning(seconds);
  }, 1000);
})();

// --- Session editor: the findings counted in the action bar (issue 13.14) ---------------
// The bar at the foot of the screen counts what the safety panel holds (blocks, reasons
// needed, warnings) and links to it, so that on an iPad the findings are one tap away
// from any of the 31 PREEMPT points. Recounted after each live check swaps the panel in.
(() => {
  const levels = [
    ["block", "text-bg-danger", "blocks signing", "block signing"],
    ["override", "text-bg-warning", "needs a reason", "need a reason"],
    ["warn", "text-bg-info", "warning", "warnings"],
  ];
  const update = () => {
    const summary = document.querySelector("[data-safety-summary]");
    const panel = document.getElementById("safety");
    if (!summary || !panel) return;
    const parts = [];
    levels.forEach(([level, style, one, many]) => {
      const count = panel.querySelectorAll(`.finding-${level}`).length;
      if (!count) return;
      const badge = document.createElement("span");
      badge.className = `badge ${style}`;
      badge.dataset.level = level;
      badge.textContent = `${count} ${count === 1 ? one : many}`;
      parts.push(badge);
    });
    if (!parts.length) {
      const none = document.createElement("span");
      none.className = "text-success";
      none.textContent = "No safety findings";
      parts.push(none);
    }
    const label = document.createElement("span");
    label.textContent = "Safety checks:";
    const arrow = document.createElement("i");
    arrow.className = "bi bi-arrow-down-circle";
    arrow.setAttribute("aria-hidden", "true");
    summary.replaceChildren(label, ...parts, arrow);
  };
  document.addEventListener("DOMContentLoaded", update);
  document.addEventListener("htmx:afterSettle", update);
})();

// --- Session editor: every finding reachable beside the points ---------------------------
// From 992 px the safety panel sits beside the points. A panel that fits above the action
// bar stays at the top of the screen; a taller one scrolls with the page until its end
// (the last warnings and the "I have read the warnings above" tick box) shows above the
// bar, then stays there (--safety-top, read by app.css). While findings are still below
// the fold, the "more below" button counts them and scrolls them into view.
(() => {
  const wide = window.matchMedia("(min-width: 992px)");
  const GAP = 16;
  let queued = false;
  const items = (panel) => [
    ...panel.querySelectorAll(".finding"),
    ...panel.querySelectorAll(".form-check:has(#acknowledge)"),
  ];
  const update = () => {
    queued = false;
    const panel = document.getElementById("safety");
    const bar = document.getElementById("session-actions");
    const more = document.querySelector("[data-safety-more]");
    if (!panel || !bar || !more) return;
    const barHeight = bar.getBoundingClientRect().height;
    const root = document.documentElement;
    root.style.setProperty("--session-actions-height", `${barHeight}px`);
    const line = window.innerHeight - barHeight - GAP;
    if (!wide.matches) {
      panel.style.removeProperty("--safety-top");
      more.hidden = true;
      return;
    }
    panel.style.setProperty("--safety-top", `${Math.min(GAP, line - panel.offsetHeight)}px`);
    const below = items(panel).filter((item) => item.getBoundingClientRect().bottom > line);
    const findings = below.filter((item) => item.classList.contains("finding")).length;
    const tickBox = below.some((item) => !item.classList.contains("finding"));
    const parts = [];
    if (findings) parts.push(`${findings} more finding${findings === 1 ? "" : "s"}`);
    if (tickBox) parts.push("the warnings tick box");
    more.hidden = !parts.length;
    more.querySelector("[data-safety-more-text]").textContent = `${parts.join(" and ")} below`;
  };
  const queue = () => {
    if (!queued) {
      queued = true;
      window.requestAnimationFrame(update);
    }
  };
  document.addEventListener("click", (event) => {
    const more = event.target.closest("[data-safety-more]");
    const panel = document.getElementById("safety");
    if (!more || !panel) return;
    const bar = document.getElementById("session-actions");
    const line = window.innerHeight - bar.getBoundingClientRect().height - GAP;
    const first = items(panel).find((item) => item.getBoundingClientRect().bottom > line);
    // Scrolling the page by what is hidden brings the panel's end above the bar (the
    // panel stops there); the first field down there takes the focus, for the keyboard.
    window.scrollBy({ top: panel.getBoundingClientRect().bottom - line });
    const field = first && first.querySelector("input");
    if (field) field.focus({ preventScroll: true });
  });
  document.addEventListener("DOMContentLoaded", queue);
  document.addEventListener("htmx:afterSettle", queue);
  document.addEventListener("toggle", queue, true); // "Per muscle and side" opened
  window.addEventListener("scroll", queue, { passive: true });
  window.addEventListener("resize", queue);
})();

// --- Session editor: the first vial is not offered again under "Further vials" ----------
// The page leaves the chosen first vial's tick box out (disabled, data-first-vial, hidden
// by app.css); when another first vial is chosen, that one's box goes and the previous
// one's comes back. In the capture phase, so the live check sent for the same change
// already has the box unticked.
(() => {
  document.addEventListener(
    "change",
    (event) => {
      const form = event.target.closest && event.target.closest("#session-form");
      const select = form && form.querySelector("select[name=vial]");
      if (!select) return;
      form.querySelectorAll("[data-further-vial]").forEach((box) => {
        const isFirst = box.dataset.furtherVial === select.value;
        if (isFirst) box.checked = false;
        box.disabled = isFirst;
        box.toggleAttribute("data-first-vial", isFirst);
      });
    },
    true,
  );
})();

// --- Nothing typed is lost at the idle sign-out (issue 13.17) ----------------------------
// On forms marked data-keep-draft="<user id>" (registration, questionnaire, session editor,
// side-effect and other clinical forms) what is typed is kept in sessionStorage, per user,
// page and form, never password fields or hidden fields. When the same form is opened again
// (after signing back in, say) it offers to put the entries back.
// Privacy: sessionStorage belongs to this browser tab only: it is never sent to the server,
// other tabs cannot read it, and it is gone when the tab is closed. It is also cleared on
// Sign out, when the form is sent and accepted, and when another user opens a form here.
(() => {
  const PREFIX = "clinic-draft:";
  const PENDING = "clinic-draft-pending";
  const storage = (() => {
    try {
      return window.sessionStorage;
    } catch (error) {
      return null;
    }
  })();
  if (!storage) return;
  const forms = () => [...document.querySelectorAll("form[data-keep-draft]")];
  const keyOf = (form) =>
    `${PREFIX}${form.dataset.keepDraft}:${window.location.pathname}:${form.id || forms().indexOf(form)}`;
  const kept = (field) =>
    field.name &&
    !field.disabled &&
    !["password", "hidden", "file", "submit", "button", "reset", "image"].includes(field.type) &&
    field.name !== "csrfmiddlewaretoken";
  const read = (form) => {
    const values = {};
    [...form.elements].filter(kept).forEach((field) => {
      if (field.type === "checkbox" || field.type === "radio") {
        values[`${field.name}=${field.value}`] = field.checked;
      } else if (field.multiple) {
        values[field.name] = [...field.selectedOptions].map((option) => option.value);
      } else {
        values[field.name] = field.value;
      }
    });
    return values;
  };
  // A formset's rows as they were typed (the session editor's points), before the values
  // go in: rows added for the entries kept beyond the page's rows, and the page's rows
  // beyond them marked for removal (a draft saved elsewhere meanwhile may have more or
  // fewer points than the entries kept from it).
  const matchRows = (form, values) => {
    const total = form.querySelector("input[name$='-TOTAL_FORMS']");
    const add = form.querySelector("[data-add-point]");
    if (!total || !add) return;
    const prefix = total.name.slice(0, -"-TOTAL_FORMS".length);
    const row = new RegExp(`^${prefix}-(\\d+)-`);
    const typed = Object.keys(values).reduce((rows, key) => {
      const found = row.exec(key);
      return found ? Math.max(rows, Number(found[1]) + 1) : rows;
    }, 0);
    while (Number(total.value) < typed) add.click();
    for (let index = typed; index < Number(total.value); index += 1) {
      const remove = form.querySelector(`input[name='${prefix}-${index}-DELETE']`);
      if (remove) remove.checked = true;
    }
  };
  const write = (form, values) => {
    matchRows(form, values);
    [...form.elements].filter(kept).forEach((field) => {
      if (field.type === "checkbox" || field.type === "radio") {
        const value = values[`${field.name}=${field.value}`];
        if (typeof value === "boolean") field.checked = value;
      } else if (field.multiple && Array.isArray(values[field.name])) {
        [...field.options].forEach((option) => (option.selected = values[field.name].includes(option.value)));
      } else if (typeof values[field.name] === "string") {
        // A choice the page made for the user (the session editor's only usable vial,
        // data-chosen-by-page) is not put back to "not chosen".
        if (field.hasAttribute("data-chosen-by-page") && values[field.name] === "") return;
        field.value = values[field.name];
      } else {
        return;
      }
    });
    // One event for the whole form (the session editor re-checks once, not per field).
    form.dispatchEvent(new Event("change", { bubbles: true }));
  };
  // `why`: a page that came back with the entries it was sent, not saved, says why on
  // the form (data-keep-draft-now: the session editor's draft, saved elsewhere meanwhile);
  // the offer says so.
  const save = (form) => {
    const values = read(form);
    const why = form.dataset.keepDraftNow || undefined;
    storage.setItem(keyOf(form), JSON.stringify({ savedAt: Date.now(), values, why }));
  };
  const clearAll = () => {
    Object.keys(storage)
      .filter((key) => key.startsWith(PREFIX) || key === PENDING)
      .forEach((key) => storage.removeItem(key));
  };
  const offer = (form, key, draft) => {
    const box = document.createElement("div");
    box.className = "alert alert-info d-flex flex-wrap align-items-center gap-2 draft-offer";
    box.setAttribute("role", "status");
    box.dataset.testid = "draft-offer";
    const saved = new Date(draft.savedAt).toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit" });
    const text = document.createElement("span");
    text.className = "me-auto";
    text.textContent = draft.why
      ? `What you typed in this form at ${saved} was not saved: ${draft.why}.`
      : `You were typing in this form at ${saved} and it was not sent (for example, you were signed out).`;
    const restore = document.createElement("button");
    restore.type = "button";
    restore.className = "btn btn-sm btn-primary";
    restore.textContent = "Restore what I typed";
    const discard = document.createElement("button");
    discard.type = "button";
    discard.className = "btn btn-sm btn-outline-secondary";
    discard.textContent = "Discard";
    restore.addEventListener("click", () => {
      write(form, draft.values);
      box.remove();
      save(form);
      const first = [...form.elements].find((field) => kept(field) && field.offsetParent !== null);
      if (first) first.focus();
    });
    discard.addEventListener("click", () => {
      storage.removeItem(key);
      box.remove();
    });
    box.append(text, restore, discard);
    form.before(box);
  };
  document.addEventListener("DOMContentLoaded", () => {
    // A form sent while signed out comes back as the sign-in page: keep its draft. A page
    // for a signed-in user after sending means it was accepted (or shown again with what
    // was sent and the errors): the draft is done with.
    const pending = storage.getItem(PENDING);
    storage.removeItem(PENDING);
    const signedIn = Boolean(document.body && document.body.dataset.sessionSecondsLeft);
    if (pending && !signedIn) {
      try {
        const { key, draft } = JSON.parse(pending);
        storage.setItem(key, JSON.stringify(draft));
      } catch (error) {
        /* an unreadable draft is dropped */
      }
    }
    forms().forEach((form) => {
      const owner = `${PREFIX}${form.dataset.keepDraft}:`;
      Object.keys(storage)
        .filter((key) => key.startsWith(PREFIX) && !key.startsWith(owner))
        .forEach((key) => storage.removeItem(key));
      const key = keyOf(form);
      const stored = storage.getItem(key);
      if (stored) {
        try {
          const draft = JSON.parse(stored);
          // Entries the page was shown with again (the form came back with errors) win.
          if (form.querySelector(".is-invalid, .invalid-feedback")) storage.removeItem(key);
          else offer(form, key, draft);
        } catch (error) {
          /* an unreadable draft is dropped */
        }
      }
      // Shown again with what was sent, which was not saved (data-keep-draft-now): the
      // entries are kept, and the form's page offers them back when it is opened again.
      if (form.dataset.keepDraftNow) save(form);
      const keep = () => save(form);
      form.addEventListener("input", keep);
      form.addEventListener("change", keep);
      form.addEventListener("submit", () => {
        storage.setItem(PENDING, JSON.stringify({ key, draft: { savedAt: Date.now(), values: read(form) } }));
        storage.removeItem(key);
      });
    });
    document.querySelectorAll("form[data-sign-out]").forEach((form) => form.addEventListener("submit", clearAll));
  });
})();

// One submission per click burst: a second submission of a form while the first is on
// its way is ignored, so the person sees what the first did ("Session signed.", not
// "signed meanwhile"; browser review 05/12). Only a submission the page itself sends
// (htmx cancels the event for the forms it sends); the server's guards (versions,
// one-time tokens) still refuse what gets through, such as a second tab. A form can be
// sent again after a few seconds (a lost connection) or when the page comes back from
// the back-forward cache.
// A form on its way also sends no more htmx requests (the session editor's live check),
// and the one in flight is dropped: a check due half a second after typing, sent while
// Sign's answer was on its way, found the session signed and put "signed meanwhile" and
// its redirect in place of "Session signed." (CI, 06/12; tests/e2e/test_double_click.py).
(() => {
  "use strict";
  const AGAIN_AFTER_MS = 5000;
  const onItsWay = (form) => {
    const sentAt = Number((form && form.dataset.sentAt) || 0);
    return sentAt > 0 && Date.now() - sentAt < AGAIN_AFTER_MS;
  };
  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (event.defaultPrevented || !(form instanceof HTMLFormElement)) return;
    if ((form.getAttribute("method") || "get").toLowerCase() !== "post") return;
    if (onItsWay(form)) {
      event.preventDefault();
      return;
    }
    form.dataset.sentAt = String(Date.now());
    if (window.htmx) window.htmx.trigger(form, "htmx:abort");
  });
  document.addEventListener("htmx:beforeRequest", (event) => {
    const element = event.detail.elt;
    if (onItsWay(element.closest && element.closest("form"))) event.preventDefault();
  });
  window.addEventListener("pageshow", (event) => {
    if (!event.persisted) return;
    document.querySelectorAll("form[data-sent-at]").forEach((form) => delete form.dataset.sentAt);
  });
})();

// A table wider than the page (reports; the questionnaire's treatments received elsewhere,
// on an iPad): say that more columns are to the right, and fade its right edge until it is
// scrolled to the end (browser review 05/12: cut-off columns looked like the whole table).
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-scroll-hint]").forEach((box) => {
    const hint = document.getElementById(box.dataset.scrollHint);
    const update = () => {
      const wider = box.scrollWidth > box.clientWidth + 1;
      const atEnd = box.scrollLeft + box.clientWidth >= box.scrollWidth - 1;
      if (hint) hint.hidden = !wider;
      box.classList.toggle("has-more", wider && !atEnd);
    };
    box.addEventListener("scroll", update, { passive: true });
    window.addEventListener("resize", update);
    update();
  });
});
