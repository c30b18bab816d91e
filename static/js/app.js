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

// On the chat page, show the newest question and answer first.
document.addEventListener("DOMContentLoaded", function () {
  var turns = document.querySelectorAll(".chat-log .chat-turn");
  if (turns.length && !window.location.hash) {
    turns[turns.length - 1].scrollIntoView({ block: "start" });
  }
});
