// The clinic's own scripts: small helpers any page may use (a failed search, the focus
// on a page shown again, a return to a list's row, printing, the side-effect form, Enter,
// one submission per click, wide tables). The others, by concept: idle_sign_out.js (the
// idle warning and the drafts kept through it, every signed-in page), session_editor.js
// (the session editor only) and outcome_charts.js (the outcomes page only).
// No inline scripts anywhere (Content-Security-Policy).
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
  // A question answered by radio buttons marks its row (.has-error: the questionnaire's
  // yes/no questions), not its inputs: its first answer counts, in page order with the
  // marked fields (reception review 07/12/2026: the cursor stayed at the top of a long
  // page).
  const invalid = document.querySelector(
    "main form :is(.is-invalid:is(input:not([type=hidden]), select, textarea)," +
      " .has-error input:not([type=hidden])):not([disabled])",
  );
  if (invalid) {
    (invalid.closest(".has-error") || invalid).scrollIntoView({ block: "center" });
    invalid.focus({ preventScroll: true });
  }
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
