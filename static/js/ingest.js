// Uploads and processing state, as progressive enhancement: without this file the
// upload form posts normally and the pages show the state as of their loading.
(function () {
  "use strict";
  // The page's language: Django's JavaScript catalog (base.html loads /jsi18n/ first); English without it.
  var gettext = window.gettext || function (text) { return text; };
  function fill(text, values) { return text.replace(/%\((\w+)\)s/g, function (all, name) { return values[name]; }); }
  var PARALLEL_UPLOADS = 3;
  var POLL_MS = 2000;

  function formatSize(bytes) {
    if (bytes >= 1048576) return (bytes / 1048576).toFixed(1) + " MB";
    if (bytes >= 1024) return Math.round(bytes / 1024) + " KB";
    return bytes + " bytes";
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  // ---- Processing state: poll the status endpoint for documents still in progress.
  var watched = {};   // docId -> [callback]
  var statusUrl = null;
  var timer = null;

  function watch(docId, url, callback) {
    statusUrl = statusUrl || url;
    (watched[docId] = watched[docId] || []).push(callback);
    if (!timer) timer = window.setTimeout(poll, POLL_MS);
  }

  function poll() {
    timer = null;
    var ids = Object.keys(watched);
    if (!ids.length || !statusUrl) return;
    var xhr = new XMLHttpRequest();
    xhr.open("GET", statusUrl + "?ids=" + encodeURIComponent(ids.slice(0, 100).join(",")));
    xhr.setRequestHeader("Accept", "application/json");
    xhr.onload = function () {
      if (xhr.status === 200) {
        JSON.parse(xhr.responseText).documents.forEach(function (state) {
          var callbacks = watched[state.doc_id] || [];
          if (!state.processing) delete watched[state.doc_id];
          callbacks.forEach(function (callback) { callback(state); });
        });
      }
      if (Object.keys(watched).length) timer = window.setTimeout(poll, POLL_MS);
    };
    xhr.onerror = function () { timer = window.setTimeout(poll, POLL_MS * 3); };
    xhr.send();
  }

  function paintBadge(badge, state) {
    badge.className = "doc-status doc-status-" + state.status + (state.reindexing ? " doc-status-reindexing" : "");
    badge.querySelector(".doc-status-label").textContent = state.label;
    var progressText = badge.querySelector(".doc-status-progress");
    var bar = badge.querySelector("progress");
    if (state.processing && state.total) {
      progressText.textContent = fill(gettext("%(done)s/%(total)s passages"), { done: state.done, total: state.total });
    } else {
      progressText.textContent = "";
    }
    if (bar) {
      if (state.processing) { bar.max = state.total || 1; bar.value = state.done; } else { bar.remove(); }
    }
  }

  function watchBadges() {
    document.querySelectorAll("[data-doc-status][data-processing]").forEach(function (badge) {
      var holder = badge.closest("[data-status-url]");
      if (!holder) return;
      var reload = holder.hasAttribute("data-reload-when-done");
      watch(badge.dataset.docStatus, holder.dataset.statusUrl, function (state) {
        paintBadge(badge, state);
        if (!state.processing && reload) window.location.reload();
        if (!state.processing && state.reason) {
          var reason = el("span", "doc-reason small", state.reason);
          badge.parentNode.appendChild(reason);
        }
      });
    });
  }

  // ---- Uploads: one XHR per file, a few at a time, each with its progress bar.
  function setUpZone(form) {
    var input = form.querySelector("input[type=file]");
    var queue = form.querySelector(".upload-queue");
    var limit = parseInt(form.dataset.limitBytes, 10) || 0;
    var accepted = (form.dataset.accept || "").split(",").filter(Boolean);
    var token = form.querySelector("input[name=csrfmiddlewaretoken]").value;
    var pending = [];
    var running = 0;
    var dropTarget = form.classList.contains("dropzone") ? (form.parentNode.querySelector("[data-live-list], table.documents") || form) : form;

    function row(file) {
      var item = el("li", "upload-item");
      item.appendChild(el("span", "upload-name", file.name));
      var status = el("span", "upload-state", gettext("Waiting…"));
      var bar = el("progress", "doc-progress");
      bar.max = file.size || 1;
      bar.value = 0;
      item.appendChild(bar);
      item.appendChild(status);
      queue.appendChild(item);
      return { item: item, bar: bar, status: status };
    }

    function fail(view, message) {
      view.item.classList.add("upload-failed");
      view.bar.remove();
      view.status.textContent = message;
    }

    function refuseInBrowser(file) {
      var extension = file.name.indexOf(".") >= 0 ? file.name.split(".").pop().toLowerCase() : "";
      if (accepted.length && accepted.indexOf(extension) < 0) {
        return fill(gettext("“%(name)s” is not a type Docent can read."), { name: file.name });
      }
      if (limit && file.size > limit) {
        return fill(gettext("“%(name)s” is %(size)s, larger than the %(limit)s an upload may be."), { name: file.name, size: formatSize(file.size), limit: formatSize(limit) });
      }
      if (file.size === 0) return fill(gettext("“%(name)s” is empty."), { name: file.name });
      return null;
    }

    function next() {
      while (running < PARALLEL_UPLOADS && pending.length) send(pending.shift());
    }

    function send(job) {
      running += 1;
      var view = job.view;
      var data = new FormData();
      data.append("csrfmiddlewaretoken", token);
      data.append("documents", job.file, job.file.name);
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action || window.location.href);
      xhr.setRequestHeader("Accept", "application/json");
      xhr.upload.onprogress = function (event) {
        if (event.lengthComputable) { view.bar.max = event.total; view.bar.value = event.loaded; }
        view.status.textContent = fill(gettext("Uploading %(percent)s"), { percent: Math.round(100 * event.loaded / (event.total || 1)) + "%" });
      };
      xhr.onload = function () {
        running -= 1;
        var body = {};
        try { body = JSON.parse(xhr.responseText); } catch (error) { body = { errors: [fill(gettext("The server answered %(status)s."), { status: xhr.status })] }; }
        if (body.documents && body.documents.length) {
          var state = body.documents[0];
          var link = el("a", "upload-name", state.filename);
          link.href = state.url;
          view.item.replaceChild(link, view.item.firstChild);
          view.bar.removeAttribute("value");
          view.status.textContent = state.label;
          document.dispatchEvent(new CustomEvent("docent:documents-changed"));
          watch(state.doc_id, form.dataset.statusUrl, function (update) {
            view.status.textContent = update.label + (update.processing && update.total ? " " + update.done + "/" + update.total : "");
            if (update.processing && update.total) { view.bar.max = update.total; view.bar.value = update.done; }
            if (!update.processing) {
              document.dispatchEvent(new CustomEvent("docent:documents-changed"));
              view.bar.remove();
              if (update.status === "failed") { view.item.classList.add("upload-failed"); view.status.textContent = fill(gettext("Failed: %(reason)s"), { reason: update.reason }); }
              else view.item.classList.add("upload-done");
            }
          });
        } else {
          fail(view, (body.errors || [gettext("Upload failed.")]).join(" "));
        }
        next();
      };
      xhr.onerror = function () { running -= 1; fail(view, gettext("The upload was interrupted. Try again.")); next(); };
      view.status.textContent = gettext("Uploading…");
      xhr.send(data);
    }

    function add(files) {
      Array.prototype.forEach.call(files, function (file) {
        var view = row(file);
        var refusal = refuseInBrowser(file);
        if (refusal) { fail(view, refusal); return; }
        pending.push({ file: file, view: view });
      });
      next();
    }

    form.addEventListener("submit", function (event) {
      if (!input.files.length) return;  // the server says "choose at least one file"
      event.preventDefault();
      event.stopImmediatePropagation();
      add(input.files);
      input.value = "";
    }, true);
    (dropTarget === form ? [form] : [form, dropTarget]).forEach(function (target) {
      target.addEventListener("dragover", function (event) { event.preventDefault(); form.classList.add("dragging"); });
      target.addEventListener("dragleave", function () { form.classList.remove("dragging"); });
      target.addEventListener("drop", function (event) {
        event.preventDefault();
        form.classList.remove("dragging");
        if (event.dataTransfer && event.dataTransfer.files.length) add(event.dataTransfer.files);
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-dropzone]").forEach(setUpZone);
    watchBadges();
  });
})();
