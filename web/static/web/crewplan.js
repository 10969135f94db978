/* crewplan pages: small progressive enhancements, no framework and nothing fetched from elsewhere. */
(function () {
  "use strict";

  function csrf() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  }

  function post(url, data) {
    var body = new URLSearchParams(data || {});
    return fetch(url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrf(), "X-Requested-With": "fetch" },
    });
  }

  function fmt(value, digits) {
    if (value === null || value === undefined || value === "") return "–";
    if (typeof value === "number") return value.toFixed(digits === undefined ? 1 : digits);
    return String(value);
  }

  /* Switch the unit in view as soon as one is chosen (the Go button stays for no-script use). */
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });

  /* Forms that ask before they do something that cannot be undone. */
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  });

  /* Live progress of a background job, polled about once a second. */
  var FINISHED = ["succeeded", "failed", "cancelled"];
  document.querySelectorAll("[data-job-panel]").forEach(function (panel) {
    var jobId = panel.dataset.jobId;
    /* A job already finished when the page was drawn is shown, never followed: following it could land
       on this same page again and reload without end. */
    var finishedOnArrival = FINISHED.indexOf(panel.dataset.status) >= 0;
    var ticks = 0;
    var field = function (name) { return panel.querySelector('[data-field="' + name + '"]'); };
    var cancel = panel.querySelector("[data-cancel]");
    function show(job) {
      var r = job.result || {};
      field("status").textContent = job.status;
      var waiting = job.status === "queued" && job.queue_position;
      field("message").textContent = waiting
        ? "· waiting, position " + job.queue_position + " in the queue"
        : (job.message ? "· " + job.message : "");
      field("progress").value = job.progress || 0;
      field("plain").textContent = r.plain || "";
      if (field("series")) {
        /* a retrain: series done of total, not solver figures */
        field("series").textContent = r.total ? r.done + " of " + r.total : (r.series ? r.succeeded + " of " + r.series + " retrained" : "–");
      } else {
        field("elapsed").textContent = r.elapsed !== undefined ? fmt(r.elapsed, 1) + " s" : (r.solve_s !== undefined ? fmt(r.solve_s, 1) + " s" : "–");
        field("objective").textContent = fmt(r.objective, 0);
        field("gap").textContent = r.gap === null || r.gap === undefined ? "–" : (100 * r.gap).toFixed(1) + " %";
        field("stop_reason").textContent = r.stop_reason_text || (job.status === "queued" || job.status === "running" ? "still solving" : "–");
      }
      field("ticks").textContent = String(ticks);
      panel.dataset.status = job.status;
    }
    function poll() {
      fetch("/api/jobs/" + jobId, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (!response.ok) {
            var failure = new Error("the job could not be read (" + response.status + ")");
            failure.final = response.status < 500; /* a 4xx will not change by asking again */
            throw failure;
          }
          return response.json();
        })
        .then(function (job) {
          ticks += 1;
          show(job);
          if (FINISHED.indexOf(job.status) >= 0) {
            /* every terminal state stops polling here */
            cancel.hidden = true;
            if (job.status === "failed") {
              var err = field("error");
              err.hidden = false;
              err.textContent = "The job failed: " + (job.error || "no reason given");
              return;
            }
            field("progress").value = 100;
            if (!finishedOnArrival) field("message").textContent = "· " + (job.status === "cancelled" ? "cancelled" : "done") + ", opening the result";
            /* a short pause so the finished state is seen before the page changes */
            if (panel.dataset.doneUrl && !finishedOnArrival) {
              window.setTimeout(function () { window.location.assign(panel.dataset.doneUrl); }, 700);
            }
            return;
          }
          window.setTimeout(poll, 1000);
        })
        .catch(function (error) {
          var err = field("error");
          err.hidden = false;
          err.textContent = String(error.message || error);
          if (!error.final) window.setTimeout(poll, 2000);
        });
    }
    cancel.addEventListener("click", function () {
      cancel.disabled = true;
      cancel.textContent = "Cancelling…";
      post("/api/jobs/" + jobId + "/cancel");
    });
    poll();
  });

  /* Engine comparison: one job per engine, polled until each has finished. */
  document.querySelectorAll("[data-compare-job]").forEach(function (row) {
    function poll() {
      fetch("/api/jobs/" + row.dataset.compareJob, { credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (job) {
          var r = job.result || {};
          /* the referee's count, not the engine's claim: a roster breaking hard rules is marked */
          var breaks = (r.hard_violations || 0) > 0;
          row.classList.toggle("breaks-hard-rules", breaks);
          var why = r.stop_reason_text ? " · stopped: " + r.stop_reason_text : "";
          row.querySelector('[data-k="status"]').textContent = (breaks ? job.status + " · breaks hard rules" : job.status) + why;
          row.querySelector('[data-k="engine"]').textContent = r.engine || job.params.engine;
          ["objective", "bound", "hard_violations"].forEach(function (k) {
            row.querySelector('[data-k="' + k + '"]').textContent = fmt(r[k], 0);
          });
          row.querySelector('[data-k="gap"]').textContent = r.gap === null || r.gap === undefined ? "–" : (100 * r.gap).toFixed(1) + " %";
          ["first_feasible_s", "solve_s"].forEach(function (k) {
            row.querySelector('[data-k="' + k + '"]').textContent = fmt(r[k], 2);
          });
          if (FINISHED.indexOf(job.status) < 0) window.setTimeout(poll, 1000);
        });
    }
    poll();
  });

  /* Keyboard navigation in grids: one tab stop, arrow keys move between cells (roving tabindex). */
  function gridNavigation(table, selector, roving) {
    roving = roving !== false;
    var rows = Array.prototype.map.call(table.tBodies[0].rows, function (tr) {
      return Array.prototype.slice.call(tr.querySelectorAll(selector));
    }).filter(function (cells) { return cells.length; });
    if (!rows.length) return;
    if (roving) rows[0][0].tabIndex = 0;
    table.addEventListener("keydown", function (event) {
      var moves = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1], Home: [0, -1e6], End: [0, 1e6] };
      var move = moves[event.key];
      if (!move) return;
      for (var r = 0; r < rows.length; r++) {
        var c = rows[r].indexOf(event.target);
        if (c < 0) continue;
        var nr = Math.max(0, Math.min(rows.length - 1, r + move[0]));
        var nc = Math.max(0, Math.min(rows[nr].length - 1, c + move[1]));
        event.preventDefault();
        if (roving) {
          event.target.tabIndex = -1;
          rows[nr][nc].tabIndex = 0;
        }
        rows[nr][nc].focus();
        return;
      }
    });
  }
  window.crewplanGridNavigation = gridNavigation;

  /* The roster grid's editing lives in roster_grid.js. */
})();

/* The capacity grid: each changed cell is saved through PATCH /api/assignments/bulk-update-hours with the
   row's ETag; a 412 means someone else changed the row first, and the page says so. */
(function () {
  "use strict";
  var grid = document.querySelector("[data-capacity-grid]");
  if (!grid) return;
  if (window.crewplanGridNavigation) window.crewplanGridNavigation(grid, "input.hours", false);
  if (!grid.hasAttribute("data-editable")) return;
  var status = document.querySelector("[data-capacity-status]");
  var token = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";

  function say(text, kind) {
    status.textContent = text;
    status.className = "status-line " + (kind || "");
  }

  function save(input) {
    if (input.value === input.dataset.saved) return;
    var row = input.closest("tr");
    var hours = {};
    hours[input.dataset.week] = input.value === "" ? null : Number(input.value);
    input.setAttribute("aria-busy", "true");
    fetch("/api/assignments/bulk-update-hours", {
      method: "PATCH",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": token, Accept: "application/json" },
      body: JSON.stringify([{ assignmentId: Number(row.dataset.assignmentId), weeklyHours: hours, etag: row.dataset.etag }]),
    }).then(function (response) {
      input.removeAttribute("aria-busy");
      return response.json().catch(function () { return {}; }).then(function (body) {
        if (response.ok) {
          var items = Array.isArray(body) ? body : (body.results || body.items || body.assignments || []);
          var mine = items.filter(function (item) { return String(item.assignmentId || item.id) === row.dataset.assignmentId; })[0];
          var etag = (mine && mine.etag) || response.headers.get("ETag");
          if (etag) row.dataset.etag = etag;
          input.dataset.saved = input.value;
          row.classList.remove("conflict");
          say("Saved " + row.querySelector("th").textContent + ", week of " + input.dataset.week + ".", "ok");
          return;
        }
        if (response.status === 412) {
          row.classList.add("conflict");
          say("Not saved: someone else changed " + row.querySelector("th").textContent +
              "'s row since you opened this page. Reload to see their numbers, then enter yours again.", "conflict");
          return;
        }
        say("Not saved: " + (body.message || response.statusText), "conflict");
      });
    }).catch(function (error) { say("Not saved: " + error.message, "conflict"); });
  }

  grid.addEventListener("change", function (event) {
    if (event.target.matches("input.hours")) save(event.target);
  });
  grid.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && event.target.matches("input.hours")) save(event.target);
  });
})();
