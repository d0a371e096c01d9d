// After a refused submit the page comes back with its messages at the fields: bring the first
// one into view and give its field the focus, so that a phone user (whose screen shows a tenth
// of the form) sees what to correct. When the user corrects a field marked in red, its mark and
// message go, and the reminder "Please correct the fields marked in red." goes with the last one.
(function () {
  "use strict";

  function fieldOf(element) {
    // A group marked invalid (check boxes, choice buttons) gives the focus to its first input.
    if (element.matches("input, select, textarea")) return element;
    return element.querySelector("input:not([type=hidden]), select, textarea");
  }

  function showFirstError() {
    var main = document.getElementById("content");
    if (!main) return;
    var invalid = main.querySelector(".is-invalid");
    var target = invalid ? fieldOf(invalid) || invalid : main.querySelector("form .alert-danger");
    if (!target) return;
    for (var fold = target.closest("details"); fold; fold = fold.parentElement.closest("details")) {
      fold.open = true;  // a folded section (a budget line) opens on its message
    }
    if (!target.matches("input, select, textarea, button, a")) target.setAttribute("tabindex", "-1");
    target.scrollIntoView({block: "center", behavior: "instant"});  // not Bootstrap's smooth scroll
    target.focus({preventScroll: true});
  }

  function feedbackOf(field) {
    // The messages drawn right after the field, or after its group (_macros.html).
    var holder = field.closest(".form-check, .input-group, .choice-buttons") || field;
    var messages = [];
    for (var next = holder.nextElementSibling; next && next.classList.contains("invalid-feedback");
         next = next.nextElementSibling) messages.push(next);
    return messages;
  }

  function corrected(event) {
    var field = event.target;
    if (!field.classList || !field.classList.contains("is-invalid")) return;
    var form = field.form;
    var group = form ? form.querySelectorAll("[name='" + CSS.escape(field.name) + "']") : [field];
    Array.prototype.forEach.call(group, function (each) {
      each.classList.remove("is-invalid");
      each.removeAttribute("aria-invalid");
      feedbackOf(each).forEach(function (message) { message.hidden = true; });
    });
    var container = field.closest(".is-invalid");
    if (container) container.classList.remove("is-invalid");
    if (!document.querySelector("#content .is-invalid")) {
      Array.prototype.forEach.call(document.querySelectorAll("[data-fields-reminder]"),
        function (reminder) { reminder.hidden = true; });
    }
  }

  document.addEventListener("input", corrected);
  document.addEventListener("change", corrected);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", showFirstError);
  } else {
    showFirstError();
  }
})();
