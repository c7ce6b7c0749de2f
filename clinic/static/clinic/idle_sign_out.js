// Every page (templates/base.html): the warning before the idle sign-out, and what was
// typed in a form kept through it (the sign-in page too: a form sent while signed out
// comes back as that page, which keeps the draft). No inline scripts
// (Content-Security-Policy).
"use strict";

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
  const UNSENT_WARNING =
    "What you typed and did not save will be lost if you sign out now (drafts you saved are kept).\n\nSign out anyway?";
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
    // Sign out clears what was typed and not sent (a shared iPad); it asks first when
    // there is some, since it cannot be had back (practitioner review 07/12/2026: a
    // session's points typed and not saved went without a word). Saved drafts stay.
    document.querySelectorAll("form[data-sign-out]").forEach((form) =>
      form.addEventListener("submit", (event) => {
        const unsent = Object.keys(storage).some((key) => key.startsWith(PREFIX));
        if (unsent && !window.confirm(UNSENT_WARNING)) {
          event.preventDefault();
          return;
        }
        clearAll();
      }),
    );
  });
})();
