// The chat page: ask without leaving the page and watch the answer arrive already rendered
// (the server sends sanitised HTML snapshots), stop it, regenerate or edit an answer, rate it,
// copy it, open a citation in a side panel. Without this file every form POSTs and the page reloads.
(function () {
  "use strict";
  // The page's language: Django's JavaScript catalog (base.html loads /jsi18n/ first); English without it.
  var gettext = window.gettext || function (text) { return text; };
  function fill(text, values) { return text.replace(/%\((\w+)\)s/g, function (all, name) { return values[name]; }); }
  var form = document.getElementById("ask");
  if (!form || !window.fetch || !window.TextDecoder || !window.AbortController) return;
  var box = document.getElementById("id_prompt");
  var send = document.getElementById("ask-send");
  var stop = document.getElementById("ask-stop");
  var errorBox = document.getElementById("ask-error");
  var log = document.getElementById("chat-log");
  var threadField = document.getElementById("ask-thread");
  var threadTitled = Boolean(threadField.value);  // the page's title names its conversation
  var controller = null;
  var quotaReached = send.disabled;

  var fold = document.getElementById("thread-fold");
  if (fold && window.matchMedia && window.matchMedia("(max-width: 640px)").matches) fold.open = false;

  function showError(message) {
    errorBox.querySelector("p").textContent = message;
    errorBox.hidden = !message;
  }

  function setBusy(busy) {
    send.disabled = busy || quotaReached;
    stop.hidden = !busy;
    document.querySelectorAll("[data-stream-form] button[type=submit]").forEach(function (button) {
      button.disabled = busy;
    });
    if (busy) stop.focus(); else box.focus();
  }

  function showQuota(quota) {
    if (!quota) return;
    var note = document.getElementById("quota");
    if (note) {
      note.textContent = quota.message;
      note.classList.toggle("quota-reached", quota.left === 0);
    }
    quotaReached = quota.left === 0;
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  // A turn being answered: the question, then the answer as it arrives. `turn` is the page's
  // turn when an answer is regenerated or its question edited, else a new one at the end.
  function streamingTurn(prompt, turn) {
    var empty = document.getElementById("chat-empty");
    if (empty) empty.hidden = true;
    if (!turn) {
      turn = el("li", "chat-turn");
      log.appendChild(turn);
    }
    turn.textContent = "";
    var question = el("div", "bubble question");
    question.appendChild(el("span", "visually-hidden", gettext("You asked:")));
    question.appendChild(document.createTextNode(prompt));
    var answer = el("div", "bubble answer answer-answering");
    answer.setAttribute("aria-busy", "true");
    var body = el("div", "streaming-body streaming-text");
    var cursor = el("span", "stream-cursor");
    cursor.setAttribute("aria-hidden", "true");
    answer.appendChild(body);
    answer.appendChild(cursor);
    turn.appendChild(question);
    turn.appendChild(answer);
    turn.scrollIntoView({ block: "end" });
    return { turn: turn, answer: answer, body: body, cursor: cursor, id: null };
  }

  function endTurn(parts, note) {
    parts.cursor.remove();
    parts.answer.removeAttribute("aria-busy");
    parts.answer.classList.remove("answer-answering");
    if (note) parts.answer.appendChild(el("p", "answer-reason", note));
  }

  function nearBottom() {
    return window.innerHeight + window.scrollY >= document.body.scrollHeight - 200;
  }

  function threadStarted(data) {
    if (String(threadField.value) === String(data.thread)) return;
    threadField.value = data.thread;
    form.action = data.url;
    if (!threadTitled) document.title = data.title + " · " + document.title;  // as the thread's page is titled
    threadTitled = true;
    if (window.history && window.history.replaceState) window.history.replaceState(null, "", data.url);
    var title = document.getElementById("conversation-title");
    if (title) {
      title.textContent = data.title;
      var head = title.parentNode;
      var tools = head.querySelector(".thread-tools");
      if (tools) tools.remove();
      head.insertAdjacentHTML("beforeend", data.tools);  // server-rendered, escaped title
    }
    var list = document.getElementById("threads");
    var none = document.getElementById("threads-empty");
    if (none) none.hidden = true;
    if (list) {
      list.querySelectorAll("[aria-current]").forEach(function (link) { link.removeAttribute("aria-current"); });
      var item = el("li");
      var link = el("a");
      link.href = data.url;
      link.setAttribute("aria-current", "page");
      link.appendChild(el("span", "thread-title", data.title));
      link.appendChild(document.createTextNode(" "));
      link.appendChild(el("span", "thread-date muted small", data.day || ""));  // the server's day, in the page's language
      item.appendChild(link);
      list.insertBefore(item, list.firstChild);
      var count = document.querySelector(".thread-fold summary .muted");
      if (count && data.threads_total) count.textContent = "(" + data.threads_total + ")";
    }
    var actions = document.querySelector(".chat-actions");
    if (actions && data.actions && !actions.querySelector("form")) actions.outerHTML = data.actions;  // Export, Delete all
    var label = form.querySelector("label[for=id_prompt]");
    if (label) label.textContent = gettext("Your question");
  }

  // An address that names the answer shown (?v=, from a version's arrows) names the turn's new version
  // (regenerated or edited): a reload shows what is on screen.
  function showsVersion(id) {
    if (!window.URL || !window.history || !window.history.replaceState) return;
    var address = new URL(window.location.href);
    if (!address.searchParams.has("v")) return;
    address.searchParams.set("v", id);
    window.history.replaceState(null, "", address.toString());
  }

  function handleEvent(name, data, parts) {
    if (name === "start") {
      parts.id = data.id;
      parts.turn.id = "chat-" + data.turn;
      threadStarted(data);
      if (String(data.turn) !== String(data.id)) showsVersion(data.id);  // a turn's new version
    } else if (name === "token") {
      if (data.html === undefined) return;  // the next snapshot brings this text, rendered
      var follow = nearBottom();
      parts.body.innerHTML = data.html;  // the server's sanitised rendering of the answer so far
      var blocks = parts.body.querySelectorAll("p, li, h1, h2, h3, h4, td, th, pre, blockquote");
      (blocks.length ? blocks[blocks.length - 1] : parts.body).appendChild(parts.cursor);
      if (follow) parts.turn.scrollIntoView({ block: "end" });
    } else if (name === "end") {
      var following = nearBottom();
      parts.turn.innerHTML = data.html;  // the server's rendering of the stored answer and its actions
      parts.done = true;
      showQuota(data.quota);
      enhance(parts.turn);
      if (following) parts.turn.scrollIntoView({ block: "end" });
    }
  }

  function readStream(response, parts) {
    var reader = response.body.getReader();
    var decoder = new TextDecoder();
    var buffer = "";
    function pump() {
      return reader.read().then(function (result) {
        if (result.done) return;
        buffer += decoder.decode(result.value, { stream: true });
        var blocks = buffer.split("\n\n");
        buffer = blocks.pop();
        blocks.forEach(function (block) {
          var name = "message", data = "";
          block.split("\n").forEach(function (line) {
            if (line.indexOf("event:") === 0) name = line.slice(6).trim();
            else if (line.indexOf("data:") === 0) data += line.slice(5).trim();
          });
          if (data) handleEvent(name, JSON.parse(data), parts);
        });
        return pump();
      });
    }
    return pump();
  }

  // After Stop the server stores the answer as stopped: show it as the page would, with its actions.
  function showStored(parts, attempt) {
    if (!parts.id) return;
    var url = form.dataset.answerUrl.replace(/\/0\/$/, "/" + parts.id + "/");
    window.setTimeout(function () {
      fetch(url, { credentials: "same-origin" }).then(function (response) {
        if (!response.ok) return;
        if (response.headers.get("X-Chat-State") === "answering") {
          if (attempt < 6) showStored(parts, attempt + 1);
          return;
        }
        return response.text().then(function (html) {
          parts.turn.innerHTML = html;
          enhance(parts.turn);
        });
      }).catch(function () {});
    }, 300 * (attempt + 1));
  }

  function ask(body, prompt, turn, onRefused) {
    if (controller) return;
    showError("");
    var before = turn ? turn.cloneNode(true) : null;
    var parts = streamingTurn(prompt, turn);
    controller = new AbortController();
    setBusy(true);
    fetch(form.dataset.streamUrl, {
      method: "POST", body: body, credentials: "same-origin", signal: controller.signal,
      headers: { "Accept": "text/event-stream" }
    }).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      if (response.redirected) {  // signed out meanwhile: go where the server sends us
        window.location.assign(response.url);
        parts.done = true;
        return;
      }
      if (type.indexOf("text/event-stream") !== 0) {
        return response.json().catch(function () { return {}; }).then(function (data) {
          if (before) { parts.turn.replaceWith(before); enhance(before); } else parts.turn.remove();
          onRefused();
          showError(data.error || fill(gettext("Docent could not take the question (HTTP %(status)s)."), { status: response.status }));
          parts.done = true;
        });
      }
      return readStream(response, parts);
    }).catch(function (error) {
      if (error && error.name === "AbortError") {
        endTurn(parts, gettext("Stopped: the part above is kept."));
        showStored(parts, 0);
      } else if (!parts.done) {
        endTurn(parts, gettext("The connection was lost. Reload the page to see the stored answer."));
      }
      parts.done = true;
    }).then(function () {
      if (!parts.done) endTurn(parts, gettext("The connection ended early. Reload the page to see the stored answer."));
      controller = null;
      setBusy(false);
    });
  }

  // A page of older questions (?page=2…) posts the question as the page would without this file: the
  // answer then shows where it belongs, after the latest questions, not among the older ones.
  function showsOlderQuestions() {
    var page = window.URL ? new URL(window.location.href).searchParams.get("page") : null;
    return Boolean(page) && page !== "1";
  }

  form.addEventListener("submit", function (event) {
    if (showsOlderQuestions()) return;
    event.preventDefault();
    var prompt = box.value.trim();
    if (!prompt) { showError(gettext("Type a question first.")); box.focus(); return; }
    var body = new FormData(form);
    box.value = "";
    ask(body, prompt, null, function () { box.value = prompt; });
  });

  // Regenerate, Retry and Edit question: another answer to the same turn, streamed in its place.
  log.addEventListener("submit", function (event) {
    var streamed = event.target.closest("[data-stream-form]");
    var inline = event.target.closest("[data-inline-form]");
    if (streamed) {
      event.preventDefault();
      var prompt = (streamed.elements.prompt.value || "").trim();
      if (!prompt) return;
      ask(new FormData(streamed), prompt, streamed.closest(".chat-turn"), function () {});
    } else if (inline) {
      event.preventDefault();
      var data = new FormData(inline);
      if (event.submitter && event.submitter.name) data.set(event.submitter.name, event.submitter.value);
      var turn = inline.closest(".chat-turn");
      fetch(inline.action, {
        method: "POST", body: data, credentials: "same-origin", headers: { "Accept": "application/json" }
      }).then(function (response) {
        return response.json().then(function (reply) {
          if (reply.html) {
            turn.innerHTML = reply.html;
            enhance(turn);
            var pressed = turn.querySelector(".thumb[aria-pressed=true]") || turn.querySelector(".thumb");
            if (pressed) pressed.focus();
          } else showError(reply.error || gettext("The feedback could not be saved."));
        });
      }).catch(function () { showError(gettext("The feedback could not be saved.")); });
    }
  });

  function enhance(root) {
    if (!navigator.clipboard) return;
    root.querySelectorAll(".copy-answer").forEach(function (button) { button.hidden = false; });
  }
  enhance(document);

  document.addEventListener("click", function (event) {
    var copy = event.target.closest(".copy-answer");
    if (!copy) return;
    navigator.clipboard.writeText(copy.dataset.copy).then(function () {
      copy.textContent = gettext("Copied");
      window.setTimeout(function () { copy.textContent = gettext("Copy"); }, 2000);
    }, function () { copy.textContent = gettext("Copy failed"); });
  });

  stop.addEventListener("click", function () {
    if (controller) controller.abort();
  });

  box.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      if (send.disabled) return;
      if (form.requestSubmit) form.requestSubmit(); else form.dispatchEvent(new Event("submit", { cancelable: true }));
    }
  });

  // Citations: open the cited passage in a side panel, without leaving the chat.
  var panel = document.getElementById("source-panel");
  var panelBody = document.getElementById("source-panel-body");
  var opener = null;

  function closePanel() {
    panel.hidden = true;
    if (opener) opener.focus();
    opener = null;
  }

  document.addEventListener("click", function (event) {
    var chip = event.target.closest("a.cite[data-popover]");
    if (!chip || !panel) return;
    event.preventDefault();
    opener = chip;
    panelBody.textContent = gettext("Loading…");
    panel.hidden = false;
    fetch(chip.dataset.popover, { credentials: "same-origin" }).then(function (response) {
      if (!response.ok) throw new Error("HTTP " + response.status);
      return response.text();
    }).then(function (html) {
      panelBody.innerHTML = html;  // a server-rendered fragment with escaped passage text
      document.getElementById("source-panel-close").focus();
    }).catch(function () {
      panelBody.textContent = gettext("This source could not be loaded.");
    });
  });
  document.getElementById("source-panel-close").addEventListener("click", closePanel);
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && !panel.hidden) closePanel();
  });
})();
