// Small progressive enhancements; every page works without this file.
document.addEventListener("submit", function (event) {
  var form = event.target;
  var confirmText = form.dataset.confirm;
  if (confirmText && !window.confirm(confirmText)) {
    event.preventDefault();
    return;
  }
  var button = form.querySelector("button[type=submit][data-busy]");
  if (button) {
    button.disabled = true;
    button.textContent = button.dataset.busy;
  }
});
