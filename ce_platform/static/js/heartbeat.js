// Seat time: while this lesson's tab is visible, tell the server every 30 s.
// Hidden tabs send nothing. The server credits the time since the previous heartbeat of any
// lesson of the course, at most 60 s, so several open lessons or tabs never add up.
(function () {
  var article = document.querySelector("[data-heartbeat-url]");
  if (!article || !window.fetch) return;
  var url = article.getAttribute("data-heartbeat-url");
  var token = article.getAttribute("data-csrf");
  var needed = document.querySelector("[data-seat-minutes-needed]");
  function show(body) {
    if (!needed || typeof body.minutes_needed !== "number") return;
    needed.textContent = body.minutes_needed > 0
      ? body.minutes_needed + " active minute" + (body.minutes_needed === 1 ? "" : "s") +
        " of reading still needed for the certificate."
      : "Your reading time for the certificate is complete.";
  }
  function beat() {
    if (document.visibilityState !== "visible") return;
    fetch(url, { method: "POST", headers: { "X-CSRFToken": token }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : {}; })
      .then(show)
      .catch(function () {});
  }
  beat();
  setInterval(beat, 30000);
  document.addEventListener("visibilitychange", beat);
})();
