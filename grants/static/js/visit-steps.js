/* The visit form one section at a time on a phone.
 *
 * Seven thousand pixels of questions are hard to follow at 360 px: below Bootstrap's "sm"
 * width each section of the form becomes a step, with "Step 2 of 6", its title, a progress
 * bar and Previous / Next buttons; "Send the visit" comes at the last step. Wider screens,
 * and a browser without script, show the whole form. After a refused sending the first step
 * with an error opens. Served from /static: no inline script (CSP).
 */
(function () {
  "use strict";

  var form = document.getElementById("visit-form");
  var box = document.getElementById("visit-steps");
  if (!form || !box) { return; }
  var sections = Array.prototype.slice.call(form.querySelectorAll(".visit-section"));
  var back = document.getElementById("step-back");
  var next = document.getElementById("step-next");
  var send = document.getElementById("send-visit");
  var progress = box.querySelector("progress");
  var phone = window.matchMedia("(max-width: 575.98px)");
  var current = 0;

  function headingOf(section) { return section.querySelector("h2, h3"); }

  function titleOf(section) {
    if (section.dataset.stepTitle) { return section.dataset.stepTitle; }
    var heading = headingOf(section);
    return heading ? heading.textContent.replace(/^\s*\d+\.\s*/, "").trim() : "";
  }

  function show(index, moveFocus) {
    current = Math.max(0, Math.min(index, sections.length - 1));
    sections.forEach(function (section, i) { section.hidden = i !== current; });
    box.querySelector(".step-count").textContent = box.dataset.count
      .replace("{n}", current + 1).replace("{total}", sections.length);
    box.querySelector(".step-title").textContent = titleOf(sections[current]);
    progress.max = sections.length;
    progress.value = current + 1;
    back.hidden = current === 0;
    next.hidden = current === sections.length - 1;
    send.hidden = current !== sections.length - 1;
    if (moveFocus) {
      var heading = headingOf(sections[current]);
      if (heading) { heading.tabIndex = -1; heading.focus(); }
      box.scrollIntoView({ block: "start" });
    }
  }

  function firstWithError() {
    for (var i = 0; i < sections.length; i += 1) {
      if (sections[i].querySelector(".is-invalid, .invalid-feedback")) { return i; }
    }
    return -1;
  }

  function apply() {
    if (phone.matches && sections.length > 1) {
      form.classList.add("stepped");
      var wrong = firstWithError();
      show(wrong === -1 ? current : wrong, false);
    } else {
      form.classList.remove("stepped");
      sections.forEach(function (section) { section.hidden = false; });
      back.hidden = true; next.hidden = true; send.hidden = false;
    }
  }

  back.addEventListener("click", function () { show(current - 1, true); });
  next.addEventListener("click", function () { show(current + 1, true); });
  if (phone.addEventListener) { phone.addEventListener("change", apply); }
  apply();
}());
