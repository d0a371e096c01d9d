/* Printing shows the table behind every chart: the browser does not print what a closed
 * <details> holds (except where CSS's ::details-content can open it), so each closed one
 * opens before printing and closes again after. Served from /static: no inline script (CSP). */
(function () {
  "use strict";
  var opened = [];
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details.chart-table:not([open])").forEach(function (box) {
      box.open = true;
      opened.push(box);
    });
  });
  window.addEventListener("afterprint", function () {
    opened.forEach(function (box) { box.open = false; });
    opened = [];
  });
})();
