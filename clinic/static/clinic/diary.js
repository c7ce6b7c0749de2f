// The diary's own script (no inline scripts: Content-Security-Policy).
"use strict";
// A page drawn in answer to a form (a refused move or cancellation, shown again with what
// was typed) takes the address of the page it is, so that going Back to it later loads
// that page instead of asking to send the form again ("Confirm Form Resubmission").
{
  const answered = document.querySelector("[data-history-url]");
  if (answered && window.history.replaceState) {
    window.history.replaceState(window.history.state, "", answered.dataset.historyUrl);
  }
}
