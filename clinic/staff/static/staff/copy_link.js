// "Copy" buttons on the set-password link page: copy the named input's value.
// (A static file because the Content-Security-Policy forbids inline scripts.)
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-copy-target]");
  if (!button) return;
  const input = document.getElementById(button.dataset.copyTarget);
  if (!input) return;
  input.select();
  const done = () => {
    button.textContent = button.dataset.copiedText || "Copied";
  };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(input.value).then(done, () => input.select());
  } else {
    // Without the clipboard API (plain http on a non-local address) leave it selected.
    input.focus();
  }
});
