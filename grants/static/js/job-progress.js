/* The progress bar of a background job: asks its state every second and reloads the page when
 * the job is finished (the page then shows the download link or the error). Served from /static:
 * no inline script (CSP). Without JavaScript the page refreshes itself (meta refresh). */
(function () {
  "use strict";
  var box = document.getElementById("job");
  if (!box || box.dataset.finished === "true") { return; }
  var bar = document.getElementById("job-bar");
  var percent = document.getElementById("job-percent");

  function show(state) {
    if (state.percent === null) { return; }
    bar.value = state.percent;
    percent.textContent = state.percent + " %";
  }

  function poll() {
    fetch(box.dataset.stateUrl, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (state) {
        if (!state) { window.setTimeout(poll, 5000); return; }
        show(state);
        if (state.finished) { window.location.reload(); } else { window.setTimeout(poll, 1000); }
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }

  window.setTimeout(poll, 500);
})();
