// Outcomes page (templates/treatments/outcome_list.html, after Chart.js): one line chart
// per measure from its json_script data (no inline script: Content-Security-Policy), the
// baseline as a dashed line and signed sessions as labelled markers on the time axis.
"use strict";

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
