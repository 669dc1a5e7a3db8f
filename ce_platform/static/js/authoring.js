// Live preview for the authoring editor: 400 ms after the author stops typing, send the text to
// the page's preview endpoint (session cookie + X-CSRFToken) and show the sanitized HTML it
// returns and the diagnostics of the whole course, this file's first. Without JavaScript the
// Preview button does the same through a normal form post.
(function () {
  var form = document.querySelector("form[data-preview-url]");
  if (!form || !window.fetch || !window.JSON) return;
  var textarea = form.querySelector("textarea[name=markdown]");
  var previewBox = document.getElementById("preview-html");
  var ownList = document.getElementById("diagnostics-own");
  var otherList = document.getElementById("diagnostics-other");
  var status = document.getElementById("diagnostics-status");
  if (!textarea || !previewBox || !ownList || !otherList || !status) return;

  var url = form.getAttribute("data-preview-url");
  var token = form.getAttribute("data-csrf");
  var path = form.getAttribute("data-path");
  var course = form.getAttribute("data-course");
  var ownPath = form.getAttribute("data-own-path");
  var timer = null;
  var sequence = 0; // only the answer to the latest request is shown
  var dirty = false;

  function lineOffset(text, line) {
    var offset = 0;
    for (var n = 1; n < line; n++) {
      var next = text.indexOf("\n", offset);
      if (next === -1) return text.length;
      offset = next + 1;
    }
    return offset;
  }

  function goToLine(line) {
    var text = textarea.value;
    var start = lineOffset(text, line);
    var end = text.indexOf("\n", start);
    textarea.focus();
    textarea.setSelectionRange(start, end === -1 ? text.length : end);
  }

  function item(d, own) {
    var li = document.createElement("li");
    li.className = "diagnostic diagnostic-" + (d.severity === "error" ? "error" : "warning");
    var text = d.path + ":" + d.line + ": " + d.severity + ": " + d.code + ": " + d.message;
    if (own) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "link-button";
      button.textContent = text;
      button.addEventListener("click", function () { goToLine(d.line); });
      li.appendChild(button);
    } else {
      li.textContent = text;
    }
    return li;
  }

  function showDiagnostics(diagnostics) {
    var own = [], other = [];
    diagnostics.forEach(function (d) { (d.path === ownPath ? own : other).push(d); });
    ownList.textContent = "";
    otherList.textContent = "";
    own.forEach(function (d) { ownList.appendChild(item(d, true)); });
    other.forEach(function (d) { otherList.appendChild(item(d, false)); });
    [ownList, otherList].forEach(function (list) {
      if (list.children.length) return;
      var none = document.createElement("li");
      none.className = "muted";
      none.textContent = "None.";
      list.appendChild(none);
    });
    var errors = diagnostics.filter(function (d) { return d.severity === "error"; }).length;
    status.textContent = own.length + " in this file, " + other.length +
      " elsewhere in the course (" + errors + " error" + (errors === 1 ? "" : "s") + ").";
  }

  function refresh() {
    var mine = ++sequence;
    status.textContent = "Checking…";
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": token },
      body: JSON.stringify({ path: path, markdown: textarea.value, course: course })
    }).then(function (response) {
      return response.json().catch(function () { return null; }).then(function (body) {
        return { ok: response.ok, status: response.status, body: body };
      });
    }).then(function (result) {
      if (mine !== sequence) return;
      if (!result.ok || !result.body || typeof result.body.html !== "string") {
        var message = result.body && result.body.error ? result.body.error.message : "";
        status.textContent = "Preview unavailable (HTTP " + result.status + ")" +
          (message ? ": " + message : ". Use the Preview button.");
        return;
      }
      // The server's renderer sanitizes this HTML with an allow-list (no script, no handlers).
      previewBox.innerHTML = result.body.html;
      showDiagnostics(result.body.diagnostics || []);
    }).catch(function () {
      if (mine === sequence) status.textContent = "Preview unavailable: the server did not answer.";
    });
  }

  textarea.addEventListener("input", function () {
    dirty = true;
    if (timer) clearTimeout(timer);
    timer = setTimeout(refresh, 400);
  });
  form.addEventListener("submit", function () { dirty = false; });
  window.addEventListener("beforeunload", function (event) {
    if (!dirty) return;
    event.preventDefault();
    event.returnValue = "";
  });
})();

// The new-course form suggests a slug from the title until the author types a slug of their own
// (the server makes the same slug from the title when the field is left blank).
(function () {
  var slug = document.querySelector("input[data-slug-from]");
  if (!slug) return;
  var title = document.getElementById(slug.getAttribute("data-slug-from"));
  if (!title) return;
  var edited = slug.value !== "";
  function suggest(text) {
    return text.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 100).replace(/-+$/, "");
  }
  slug.addEventListener("input", function () { edited = slug.value !== ""; });
  title.addEventListener("input", function () { if (!edited) slug.value = suggest(title.value); });
})();
