// While a certificate's PDF is being prepared, ask every two seconds and reload once it is ready.
(function () {
  var box = document.getElementById("certificate-preparing");
  if (!box) return;
  var url = box.getAttribute("data-status-url");
  var tries = 0;
  function ask() {
    tries += 1;
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (data && data.pdf !== "rendering") {
          window.location.reload();
        } else if (tries < 150) {
          window.setTimeout(ask, 2000);
        }
      })
      .catch(function () { if (tries < 150) window.setTimeout(ask, 5000); });
  }
  window.setTimeout(ask, 1500);
})();
