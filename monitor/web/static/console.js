// Asks before a form whose button says data-confirm is sent (removing a feed, dropping an
// alert). Everything else works without script.
document.addEventListener("submit", (event) => {
  const button = event.submitter;
  const question = button && button.dataset ? button.dataset.confirm : null;
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});
