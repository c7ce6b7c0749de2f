// Dashboard charts and the print layout of the dashboard and reports (issue 5).
// Data comes from json_script elements: no inline script (Content-Security-Policy).
"use strict";
(() => {
  const palette = ["#1f4e79", "#2e86c1", "#17a589", "#d4ac0d", "#ca6f1e", "#884ea0", "#5d6d7e"];
  const baseOptions = { maintainAspectRatio: false, animation: false, plugins: { legend: { display: false } } };
  // A horizontal bar chart names every bar: its box grows with its rows rather than
  // Chart.js skipping every other name, which left a name beside another's bar (manager
  // review, 07/12/2026: twelve indications in 180 px named six).
  const ROW_PX = 24;
  const AXIS_PX = 40;
  const everyName = { autoSkip: false };
  function fitRows(canvas, rows, extra) {
    const box = canvas.parentElement;
    const needed = rows * ROW_PX + AXIS_PX + extra;
    if (box && box.clientHeight < needed) box.style.height = `${needed}px`;
  }

  // A chart with nothing to draw: a line of text in its place.
  function sayInstead(canvas, text) {
    canvas.replaceWith(Object.assign(document.createElement("p"), { className: "text-body-secondary small", textContent: text }));
  }

  function draw(canvas, charts) {
    const kind = canvas.dataset.reportChart;
    // A deferred panel carries its own data (data-chart); the page's come from json_script.
    const data = canvas.dataset.chart ? JSON.parse(canvas.dataset.chart) : charts[kind];
    if (!data || !data.labels.length) {
      sayInstead(canvas, "Nothing to show for this period.");
      return;
    }
    if (kind === "sessions") {
      return new Chart(canvas, {
        type: "line",
        data: { labels: data.labels, datasets: [{ label: "Signed sessions", data: data.values, borderColor: palette[0], backgroundColor: palette[0], tension: 0 }] },
        // offset: half a step of room at each end, so the first label, slanted to the
        // left, is not cut at the box's edge (manager review, 07/12/2026: "ec 2025").
        options: { ...baseOptions, scales: { x: { offset: true }, y: { beginAtZero: true, ticks: { precision: 0 } } } },
      });
    }
    if (kind === "practitioners") {
      return new Chart(canvas, {
        type: "bar",
        data: {
          labels: data.labels,
          datasets: [
            { label: "This period", data: data.values, backgroundColor: palette[0] },
            { label: "Previous period", data: data.previous, backgroundColor: "#aab7c4" },
          ],
        },
        options: { ...baseOptions, plugins: { legend: { display: true, position: "bottom" } }, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
      });
    }
    if (kind === "side_effects") {
      // None reported at all: said, not an empty pair of axes (manager review, 07/12/2026).
      if (data.values.every((value) => !value)) {
        sayInstead(canvas, "No side effects reported for the sessions of this period.");
        return;
      }
      fitRows(canvas, data.labels.length, 0);
      return new Chart(canvas, {
        type: "bar",
        data: { labels: data.labels, datasets: [{ label: "Per 100 sessions", data: data.values, backgroundColor: palette[4] }] },
        options: { ...baseOptions, indexAxis: "y", scales: { x: { beginAtZero: true }, y: { ticks: everyName } } },
      });
    }
    if (kind === "responders") {
      fitRows(canvas, data.labels.length, 30); // and the legend under it
      return new Chart(canvas, {
        type: "bar",
        data: {
          labels: data.labels,
          datasets: [
            { label: "Good response", data: data.good, backgroundColor: "#198754" },
            { label: "Partial response", data: data.partial, backgroundColor: "#0dcaf0" },
            { label: "Not responding", data: data.none, backgroundColor: "#ffc107" },
          ],
        },
        options: {
          ...baseOptions,
          indexAxis: "y",
          plugins: { legend: { display: true, position: "bottom" } },
          scales: { x: { stacked: true, beginAtZero: true, ticks: { precision: 0 } }, y: { stacked: true, ticks: everyName } },
        },
      });
    }
    return null;
  }

  document.addEventListener("DOMContentLoaded", () => {
    const source = document.getElementById("dashboard-charts");
    if (source && typeof Chart !== "undefined") {
      const charts = JSON.parse(source.textContent);
      document.querySelectorAll("canvas[data-report-chart]").forEach((canvas) => draw(canvas, charts));
    }
    // Deferred dashboard panels (htmx): draw their charts once they arrive.
    document.body.addEventListener("htmx:afterSettle", (event) => {
      if (typeof Chart === "undefined") return;
      const root = event.detail.elt && event.detail.elt.isConnected ? event.detail.elt.parentElement : document;
      (root || document).querySelectorAll("canvas[data-report-chart][data-chart]").forEach((canvas) => {
        if (!Chart.getChart(canvas)) draw(canvas, {});
      });
    });
    // The recall list: "Send recall messages to N ticked patients" counts the boxes
    // beside the names (in the table, joined to the form by form="recall-send") as they
    // change, and as the browser puts back boxes changed before a reload or Back. With
    // none ticked the button cannot be pressed, and the line beside it says why.
    const recallForm = document.getElementById("recall-send");
    const tickedCount = recallForm && recallForm.querySelector("[data-ticked-count]");
    if (tickedCount) {
      const noun = recallForm.querySelector("[data-ticked-noun]");
      const button = recallForm.querySelector("[data-testid=send-recalls]");
      const noneTicked = recallForm.querySelector("[data-none-ticked]");
      const countTicked = () => {
        const ticked = [...recallForm.elements].filter((box) => box.name === "recall" && box.checked).length;
        tickedCount.textContent = String(ticked);
        if (noun) noun.textContent = ticked === 1 ? "patient" : "patients";
        if (button) button.disabled = ticked === 0;
        if (noneTicked) noneTicked.hidden = ticked !== 0;
      };
      document.addEventListener("change", (event) => {
        if (event.target.form === recallForm) countTicked();
      });
      window.addEventListener("pageshow", countTicked);
      countTicked();
    }
    // The print layout (?print=1, logged as a print) opens the browser's print dialog.
    if (document.getElementById("auto-print")) {
      window.setTimeout(() => window.print(), 300);
    }
  });
})();
