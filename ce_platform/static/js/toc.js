// On a narrow screen the lesson's "On this page" list starts folded, so the lesson itself is on
// the first screen; without JavaScript it simply stays open.
(function () {
  var box = document.querySelector("details[data-close-below]");
  if (!box || !window.matchMedia) return;
  if (window.matchMedia("(max-width: " + box.getAttribute("data-close-below") + ")").matches) {
    box.open = false;
  }
})();
