// Keeps the documents list of a workspace page live: asks the server every few seconds (and
// at once when an upload or a document's processing ends) whether the list changed, and swaps
// in the new list and count when it did. Without this file a reload shows the same.
(function () {
  "use strict";
  var POLL_MS = 5000;

  document.addEventListener("DOMContentLoaded", function () {
    var region = document.querySelector("[data-live-list]");
    if (!region) return;
    var version = region.dataset.liveVersion || "";
    var timer = null;
    var busy = false;

    function schedule(delay) {
      if (timer) window.clearTimeout(timer);
      timer = window.setTimeout(poll, delay);
    }

    function typingInside() {
      var active = document.activeElement;
      return active && region.contains(active) && (active.tagName === "INPUT" || active.tagName === "SELECT");
    }

    function swapIn(html) {
      region.innerHTML = html;
      var holder = region.querySelector("[data-document-count]");
      var count = document.querySelector("[data-live-count]");
      if (holder && count) count.textContent = holder.dataset.documentCount;
      document.dispatchEvent(new CustomEvent("docent:documents-shown"));
    }

    function poll() {
      timer = null;
      if (busy || document.hidden || typingInside()) { schedule(POLL_MS); return; }
      busy = true;
      var xhr = new XMLHttpRequest();
      xhr.open("GET", region.dataset.liveList);
      if (version) xhr.setRequestHeader("If-None-Match", version);
      xhr.onload = function () {
        busy = false;
        if (xhr.status === 200) {
          version = xhr.getResponseHeader("ETag") || "";
          swapIn(xhr.responseText);
        }
        schedule(POLL_MS);
      };
      xhr.onerror = function () { busy = false; schedule(POLL_MS * 3); };
      xhr.send();
    }

    document.addEventListener("docent:documents-changed", function () { schedule(300); });
    document.addEventListener("visibilitychange", function () { if (!document.hidden) schedule(300); });
    schedule(POLL_MS);
  });
})();
