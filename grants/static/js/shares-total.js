/* The total of a collective dossier's shares, kept up to date while they are typed (the server
 * adds them again when they are saved). Served from /static: no inline script (CSP). */
(function () {
  "use strict";
  var total = document.querySelector("#shares-form input[name=total]");
  if (!total) { return; }
  var inputs = document.querySelectorAll(".share-input");

  function update() {
    var sum = 0, complete = true;
    inputs.forEach(function (input) {
      var value = input.value.trim();
      if (/^\d+$/.test(value)) { sum += parseInt(value, 10); } else { complete = false; }
    });
    total.value = complete ? String(sum) : "";
  }

  inputs.forEach(function (input) { input.addEventListener("input", update); });
})();
