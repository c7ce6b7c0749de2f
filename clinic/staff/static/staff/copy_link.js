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
  // The clipboard API can refuse (no secure context, or the page lost focus: seen once
  // under load in CI): copy the selected text the older way, still inside this click,
  // and say "Copied" only when it worked; otherwise the link stays selected to copy by hand.
  const fallback = () => {
    input.focus();
    input.select();
    let copied = false;
    try {
      copied = document.execCommand("copy");
    } catch (error) {
      copied = false;
    }
    if (copied) done();
  };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(input.value).then(done, fallback);
  } else {
    fallback();
  }
});
