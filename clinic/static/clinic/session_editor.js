// The session editor (templates/treatments/session_edit.html, only there): its points
// (a row added, units and volume worked out from each other at the vial's dilution), the
// findings counted in the action bar, the safety panel beside the points, and the first
// vial left out of "Further vials". No inline scripts (Content-Security-Policy).
"use strict";

// Session form: add an injection-point row from the formset's empty form, up to the
// formset's maximum (the server builds no more: a row past it would be lost, review
// 07/12/2026), which the line beside the button then says.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-add-point]");
  if (!button) return;
  const form = button.closest("form");
  const total = form.querySelector("input[name$='-TOTAL_FORMS']");
  const most = Number(form.querySelector("input[name$='-MAX_NUM_FORMS']")?.value || Infinity);
  const template = document.getElementById("point-template");
  const index = Number(total.value);
  if (index >= most) {
    const said = form.querySelector("[data-points-limit]");
    if (said) said.textContent = `At most ${most} points in one session.`;
    return;
  }
  const html = template.innerHTML.replaceAll("__prefix__", String(index));
  document.getElementById("points-body").insertAdjacentHTML("beforeend", html);
  total.value = String(index + 1);
  const firstField = document.getElementById("points-body").lastElementChild.querySelector("select");
  if (firstField) firstField.focus();
});

// Session form (DOMAIN §10 rule 6): volume follows units and units follow volume, at the
// chosen vial's U/mL, so what is typed in one is always consistent with the other (and
// per-site mL limits fire whatever was typed). The server does the same on saving, and
// for a point whose other field is empty (a template's row, say): the figure shown here
// is the one it works out, by its own rule (treatments.services.point_units_and_volume).
// That rule is Python's Decimal in its default context: the vial's U/mL as the option
// says it (data-units-per-ml, str() of the server's Decimal), the quotient or product
// rounded to 28 significant digits, then to the field's places (3 for mL, 2 for units),
// halves to the even digit (ROUND_HALF_EVEN). So here too, in whole numbers (BigInt):
// 5 U at 80 U/mL is 0.0625 mL, shown and kept as 0.062, not 0.063 (Math.round and
// toFixed round halves up, and work on binary fractions that miss most decimal halves).
(() => {
  const PRECISION = 28; // Python's default decimal context
  const TEN = 10n;
  // A decimal as typed or as the server wrote it ("5", "0.25", "33.33…33", "1e2") as a
  // whole number and a power of ten; null if it is not one.
  const decimal = (text) => {
    const found = /^\s*(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d{1,3}))?\s*$/.exec(String(text || ""));
    if (!found || !(found[1] || found[2])) return null;
    const digits = `${found[1]}${found[2] || ""}`;
    return { whole: BigInt(digits), exponent: Number(found[3] || 0) - (found[2] || "").length };
  };
  // numerator / denominator (whole, positive) to the nearest whole number, halves to even.
  const halfEven = (numerator, denominator) => {
    const quotient = numerator / denominator;
    const twice = (numerator % denominator) * 2n;
    const up = twice > denominator || (twice === denominator && quotient % 2n === 1n);
    return up ? quotient + 1n : quotient;
  };
  const power = (exponent) => TEN ** BigInt(exponent);
  // numerator × 10^shift / denominator, as a fraction of whole numbers.
  const scaled = (numerator, denominator, shift) =>
    shift >= 0 ? [numerator * power(shift), denominator] : [numerator, denominator * power(-shift)];
  // The fraction numerator / denominator as Decimal's context leaves a result: to
  // PRECISION significant digits, halves to even (exact when it has no more digits).
  const significant = (numerator, denominator) => {
    if (numerator === 0n) return [0n, 1n];
    const least = power(PRECISION - 1);
    const reaches = (shift) => {
      const [top, bottom] = scaled(numerator, denominator, shift);
      return top >= bottom * least;
    };
    let shift = PRECISION - (String(numerator).length - String(denominator).length);
    while (!reaches(shift)) shift += 1; // at least PRECISION digits before the point
    while (reaches(shift - 1)) shift -= 1; // and no more
    const whole = halfEven(...scaled(numerator, denominator, shift));
    return scaled(whole, 1n, -shift);
  };
  // Decimal.quantize to `places`, halves to even, written as the field shows it ("0.3",
  // "5": no trailing zeros, as before).
  const quantized = ([numerator, denominator], places) => {
    const whole = String(halfEven(numerator * power(places), denominator)).padStart(places + 1, "0");
    const text = `${whole.slice(0, -places)}.${whole.slice(-places)}`;
    return text.replace(/\.?0+$/, "");
  };
  // a × b or a ÷ b as a fraction of whole numbers.
  const fraction = (a, b, divide) =>
    divide
      ? scaled(a.whole, b.whole, a.exponent - b.exponent)
      : scaled(a.whole * b.whole, 1n, a.exponent + b.exponent);
  const unitsOf = (volume, perMl) => quantized(significant(...fraction(volume, perMl, false)), 2);
  const volumeOf = (units, perMl) => quantized(significant(...fraction(units, perMl, true)), 3);

  document.addEventListener("input", (event) => {
    const field = event.target;
    const typed = field.dataset.pointField;
    if (typed !== "volume_ml" && typed !== "units") return;
    const form = field.closest("form");
    const select = form && form.querySelector("#id_vial");
    const chosen = select && select.selectedOptions[0];
    const perMl = decimal(chosen && chosen.dataset.unitsPerMl);
    if (!perMl || perMl.whole === 0n) return;
    const value = decimal(field.value);
    const other = field.closest("tr").querySelector(
      `[data-point-field='${typed === "units" ? "volume_ml" : "units"}']`,
    );
    // Nothing usable typed (emptied, zero, negative, half a number): the other field is
    // emptied rather than worked out from it, so one mistake shows one error on saving
    // (the typed field's), and no stale volume stands beside units it no longer matches.
    if (!value || value.whole === 0n) {
      other.value = "";
    } else if (typed === "volume_ml") {
      other.value = unitsOf(value, perMl);
    } else {
      other.value = volumeOf(value, perMl);
    }
  });
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
// --safety-top is set on the page's root, not on the panel: htmx, swapping the panel in
// after a live check, copied the old panel's style attribute onto the new one, which the
// Content-Security-Policy (style-src 'self') refused with an error in the console.
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
      root.style.removeProperty("--safety-top");
      more.hidden = true;
      return;
    }
    root.style.setProperty("--safety-top", `${Math.min(GAP, line - panel.offsetHeight)}px`);
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

// --- Session editor: "I have read the warnings" names the warnings it was ticked for ----
// The live check keeps the box as it is (hx-preserve), value and all, so a warning that
// comes up after the tick is not acknowledged by it (signing refuses it until read). The
// box takes the warnings the panel shows when it is ticked, and follows them while it is
// not: ticked (again) after reading them, it acknowledges those
// (treatments.forms.acknowledgement).
(() => {
  const follow = (box) => {
    const panel = document.getElementById("safety");
    if (box && panel && panel.dataset.warningCodes !== undefined) {
      box.value = panel.dataset.warningCodes;
    }
  };
  document.addEventListener("htmx:afterSettle", () => {
    const box = document.getElementById("acknowledge");
    if (box && !box.checked) follow(box);
  });
  // In the capture phase: before the form's own change handlers send the live check.
  document.addEventListener(
    "change",
    (event) => {
      if (event.target.id === "acknowledge" && event.target.checked) follow(event.target);
    },
    true,
  );
})();
