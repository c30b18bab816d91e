// The chat page: ask without leaving the page, watch the answer stream in, stop it,
// open a citation in a side panel. Without this file the form POSTs and the page reloads.
(function () {
  "use strict";
  var form = document.getElementById("ask");
  if (!form || !window.fetch || !window.TextDecoder || !window.AbortController) return;
  var box = document.getElementById("id_prompt");
  var send = document.getElementById("ask-send");
  var stop = document.getElementById("ask-stop");
  var errorBox = document.getElementById("ask-error");
  var log = document.getElementById("chat-log");
  var controller = null;

  function showError(message) {
    errorBox.querySelector("p").textContent = message;
    errorBox.hidden = !message;
  }

  function setBusy(busy) {
    send.disabled = busy;
    stop.hidden = !busy;
    if (busy) stop.focus(); else box.focus();
  }

  function newTurn(prompt) {
    var empty = document.getElementById("chat-empty");
    if (empty) empty.hidden = true;
    var turn = document.createElement("li");
    turn.className = "chat-turn";
    var question = document.createElement("div");
    question.className = "bubble question";
    var hidden = document.createElement("span");
    hidden.className = "visually-hidden";
    hidden.textContent = "You asked:";
    question.appendChild(hidden);
    question.appendChild(document.createTextNode(prompt));
    var answer = document.createElement("div");
    answer.className = "bubble answer answer-answering";
    answer.setAttribute("aria-busy", "true");
    var text = document.createElement("p");
    text.className = "streaming-text";
    var cursor = document.createElement("span");
    cursor.className = "stream-cursor";
    cursor.setAttribute("aria-hidden", "true");
    answer.appendChild(text);
    answer.appendChild(cursor);
    turn.appendChild(question);
    turn.appendChild(answer);
    log.appendChild(turn);
    turn.scrollIntoView({ block: "end" });
    return { turn: turn, answer: answer, text: text, cursor: cursor };
  }

  function endTurn(parts, note) {
    parts.cursor.remove();
    parts.answer.removeAttribute("aria-busy");
    if (note) {
      var p = document.createElement("p");
      p.className = "answer-reason";
      p.textContent = note;
      parts.answer.appendChild(p);
    }
  }

  function nearBottom() {
    return window.innerHeight + window.scrollY >= document.body.scrollHeight - 200;
  }

  function handleEvent(name, data, parts) {
    if (name === "start") {
      parts.turn.id = "chat-" + data.id;
    } else if (name === "token") {
      var follow = nearBottom();
      parts.text.textContent += data.text;
      if (follow) parts.turn.scrollIntoView({ block: "end" });
    } else if (name === "end") {
      var following = nearBottom();
      var holder = document.createElement("div");
      holder.innerHTML = data.html;  // the server's sanitised rendering of the stored answer
      parts.answer.replaceWith(holder.firstElementChild);
      parts.done = true;
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

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (controller) return;
    var prompt = box.value.trim();
    if (!prompt) { showError("Type a question first."); box.focus(); return; }
    showError("");
    var body = new FormData(form);
    var parts = newTurn(prompt);
    box.value = "";
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
          parts.turn.remove();
          box.value = prompt;
          showError(data.error || "Docent could not take the question (HTTP " + response.status + ").");
          parts.done = true;
        });
      }
      return readStream(response, parts);
    }).catch(function (error) {
      if (error && error.name === "AbortError") {
        endTurn(parts, "Stopped: " + "the part above is kept.");
      } else if (!parts.done) {
        endTurn(parts, "The connection was lost. Reload the page to see the stored answer.");
      }
      parts.done = true;
    }).then(function () {
      if (!parts.done) endTurn(parts, "The connection ended early. Reload the page to see the stored answer.");
      controller = null;
      setBusy(false);
    });
  });

  stop.addEventListener("click", function () {
    if (controller) controller.abort();
  });

  box.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
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
    panelBody.textContent = "Loading…";
    panel.hidden = false;
    fetch(chip.dataset.popover, { credentials: "same-origin" }).then(function (response) {
      if (!response.ok) throw new Error("HTTP " + response.status);
      return response.text();
    }).then(function (html) {
      panelBody.innerHTML = html;  // a server-rendered fragment with escaped passage text
      document.getElementById("source-panel-close").focus();
    }).catch(function () {
      panelBody.textContent = "This source could not be loaded.";
    });
  });
  document.getElementById("source-panel-close").addEventListener("click", closePanel);
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && !panel.hidden) closePanel();
  });
})();
