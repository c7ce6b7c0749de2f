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

// Session form: units follow the volume drawn (units = volume x the vial's U/mL), unless
// the practitioner typed units themselves. The server re-checks the two against each other.
document.addEventListener("input", (event) => {
  const field = event.target;
  if (field.dataset.pointField !== "volume_ml") return;
  const form = field.closest("form");
  const select = form && form.querySelector("#id_vial");
  const chosen = select && select.selectedOptions[0];
  const perMl = Number(chosen && chosen.dataset.unitsPerMl);
  if (!perMl) return;
  const row = field.closest("tr");
  const units = row.querySelector("[data-point-field='units']");
  if (units.value && units.dataset.auto !== "true") return;
  const volume = Number(field.value);
  if (!volume) return;
  units.value = (Math.round(volume * perMl * 100) / 100).toString();
  units.dataset.auto = "true";
});
document.addEventListener("input", (event) => {
  if (event.target.dataset.pointField === "units") event.target.dataset.auto = "false";
});
