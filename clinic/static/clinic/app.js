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
