// Copy an invite's full claim link from the admin.
document.addEventListener("click", function (event) {
  var button = event.target.closest("button.copy-link");
  if (!button) return;
  var url = new URL(button.dataset.copy, window.location.origin).href;
  navigator.clipboard.writeText(url).then(function () {
    button.textContent = "Copied";
  }, function () {
    window.prompt("Copy this link:", url);
  });
});
