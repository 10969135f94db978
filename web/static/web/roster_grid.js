/* The roster grid's editing, through the roster API with the page's ETag (If-Match):
   - a click (or Enter) opens the cell editor with every option for that cell, allowed or refused in plain
     words, and who else could take each shift; a planner allowed to override may keep a refused change
     with a reason;
   - dragging a shift onto an empty cell moves it, onto another shift swaps the two (the same checks);
   - Ctrl/Cmd-click or Space selects cells; the toolbar clears, sets or releases them in one edit;
   - Undo takes back the version's last edit.
   Every refusal is shown with its reasons; nothing is half saved. */
(function () {
  "use strict";
  var table = document.querySelector("[data-roster-grid]");
  if (!table) return;
  if (window.crewplanGridNavigation) window.crewplanGridNavigation(table, "td.cell button");

  /* The cover rows stick to the bottom of the grid's box, each above the ones below it, so cover stays in
     view beside the people while scrolling. */
  function stickCoverRows() {
    var rows = Array.prototype.slice.call(table.querySelectorAll("tfoot tr")).reverse();
    var offset = 0;
    rows.forEach(function (row) {
      Array.prototype.forEach.call(row.children, function (cell) { cell.style.bottom = offset + "px"; });
      offset += row.getBoundingClientRect().height;
    });
  }
  stickCoverRows();
  window.addEventListener("resize", stickCoverRows);
  if (!table.hasAttribute("data-editable")) return;

  var rosterId = table.dataset.rosterId;
  var base = "/api/rosters/" + rosterId;
  var token = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  var status = document.querySelector("[data-grid-status]");
  var canOverride = table.hasAttribute("data-can-override");

  function say(text, refused) {
    status.textContent = text;
    status.className = "grid-status" + (refused ? " refused" : "");
  }

  function api(method, path, body) {
    var headers = { Accept: "application/json", "X-CSRFToken": token, "If-Match": table.dataset.etag };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    return fetch(base + path, {
      method: method,
      credentials: "same-origin",
      headers: headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        return { ok: response.ok, status: response.status, body: data };
      });
    });
  }

  function cellOf(person, date) {
    return table.querySelector('td.cell button[data-person="' + person + '"][data-date="' + date + '"]');
  }

  function describe(button) {
    return button.dataset.personName + ", " + button.dataset.dayLabel;
  }

  function reasons(body) {
    var lines = ((body.extra || {}).violations || []).map(function (v) { return v.text; });
    var cells = ((body.extra || {}).cells || []);
    if (!lines.length) lines = cells.map(function (c) { return c.message; });
    return lines;
  }

  function markErrors(body) {
    ((body.extra || {}).cells || []).forEach(function (c) {
      var button = cellOf(c.person, c.date);
      if (button) button.parentElement.classList.add("cell-error");
    });
  }

  function clearErrors() {
    table.querySelectorAll("td.cell-error").forEach(function (td) { td.classList.remove("cell-error"); });
  }

  function loadOptions(button) {
    return fetch(base + "/cells/" + button.dataset.person + "/" + button.dataset.date + "/options", {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    }).then(function (response) { return response.ok ? response.json() : null; });
  }

  /* "Allowed instead" for a refused change: the options of the target cell, and who could take the shift. */
  function alternatives(options, shift) {
    if (!options) return "";
    var allowed = options.options.filter(function (o) { return o.allowed && !o.current; })
      .map(function (o) { return o.shift || "day off"; });
    var wanted = options.options.filter(function (o) { return o.shift === shift; })[0];
    var others = wanted ? wanted.instead.map(function (p) { return p.name; }) : [];
    var text = "";
    if (allowed.length) text += " Allowed in this cell instead: " + allowed.join(", ") + ".";
    if (shift && others.length) text += " Could take " + shift + " that day instead: " + others.slice(0, 6).join(", ") + (others.length > 6 ? " and " + (others.length - 6) + " more" : "") + ".";
    return text;
  }

  function change(cells, action, reason) {
    clearErrors();
    var body = { cells: cells, action: action };
    if (reason) body.override_reason = reason;
    return api("POST", "/cells", body).then(function (result) {
      if (result.ok) { window.location.reload(); return result; }
      markErrors(result.body);
      return result;
    });
  }

  /* --- the cell editor ------------------------------------------------------------------------------ */
  var dialog = document.getElementById("cell-editor");
  var form = dialog.querySelector("form");
  var error = dialog.querySelector('[data-field="error"]');
  var optionsBox = dialog.querySelector('[data-field="options"]');
  var overrideBox = dialog.querySelector('[data-field="override"]');
  var current = null;
  var currentOptions = null;

  function labelSelect(options) {
    Array.prototype.forEach.call(form.shift.options, function (opt) {
      if (!opt.dataset.label) opt.dataset.label = opt.textContent;
      var o = options && options.options.filter(function (x) { return (x.shift || "") === opt.value; })[0];
      opt.textContent = opt.dataset.label + (o && !o.allowed ? " — breaks a rule" : "");
    });
  }

  function showOptions(options) {
    currentOptions = options;
    optionsBox.textContent = "";
    labelSelect(options);
    if (!options) return;
    var list = document.createElement("ul");
    options.options.forEach(function (o) {
      var item = document.createElement("li");
      var label = (o.shift || "Day off") + (o.current ? " (now)" : "");
      if (o.allowed) {
        item.textContent = label + ": allowed";
      } else {
        item.className = "blocked";
        item.textContent = label + ": " + o.blocking.map(function (b) { return b.text; }).join("; ");
      }
      if (o.shift && o.instead.length) {
        var who = document.createElement("span");
        who.className = "instead";
        who.textContent = " — could also take it: " + o.instead.slice(0, 4).map(function (p) { return p.name; }).join(", ");
        item.appendChild(who);
      }
      list.appendChild(item);
    });
    optionsBox.appendChild(list);
    syncOverride();
  }

  function chosenOption() {
    if (!currentOptions) return null;
    var value = form.shift.value || null;
    return currentOptions.options.filter(function (o) { return o.shift === value; })[0] || null;
  }

  function syncOverride() {
    if (!overrideBox) return;
    var option = chosenOption();
    overrideBox.hidden = !(option && !option.allowed);
  }

  table.addEventListener("click", function (event) {
    var button = event.target.closest("td.cell button");
    if (!button) return;
    if (event.ctrlKey || event.metaKey || event.shiftKey) { toggle(button); return; }
    current = button;
    dialog.querySelector('[data-field="who"]').textContent = describe(button);
    form.shift.value = button.dataset.shift;
    form.pinned.checked = true;
    if (overrideBox) { overrideBox.hidden = true; form.reason.value = ""; }
    error.hidden = true;
    optionsBox.textContent = "Checking what this cell may hold…";
    dialog.showModal();
    loadOptions(button).then(showOptions);
  });
  form.shift.addEventListener("change", syncOverride);
  dialog.querySelector("[data-close]").addEventListener("click", function () { dialog.close(); });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var reason = overrideBox && !overrideBox.hidden ? form.reason.value.trim() : "";
    change([{ person: Number(current.dataset.person), date: current.dataset.date, shift: form.shift.value || null, locked: form.pinned.checked }], "set", reason)
      .then(function (result) {
        if (result.ok) return;
        var lines = reasons(result.body);
        error.hidden = false;
        error.textContent = result.body.message + (lines.length > 1 ? " — " + lines.join("; ") : "") +
          (result.status === 422 && canOverride ? " Give a reason to keep it anyway." : "");
        if (overrideBox && result.status === 422) overrideBox.hidden = false;
      });
  });

  /* --- drag to move or swap ------------------------------------------------------------------------- */
  var dragged = null;
  table.addEventListener("dragstart", function (event) {
    var button = event.target.closest("td.cell button[draggable]");
    if (!button) return;
    dragged = button;
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", button.dataset.person + "|" + button.dataset.date);
  });
  table.addEventListener("dragover", function (event) {
    var button = event.target.closest("td.cell button");
    if (!dragged || !button || button === dragged) return;
    event.preventDefault();
    table.querySelectorAll("td.drop-target").forEach(function (td) { td.classList.remove("drop-target"); });
    button.parentElement.classList.add("drop-target");
  });
  table.addEventListener("dragend", function () {
    table.querySelectorAll("td.drop-target").forEach(function (td) { td.classList.remove("drop-target"); });
    dragged = null;
  });
  table.addEventListener("drop", function (event) {
    var target = event.target.closest("td.cell button");
    if (!dragged || !target || target === dragged) return;
    event.preventDefault();
    var source = dragged;
    var swap = target.dataset.shift !== "";
    var cells = [
      { person: Number(source.dataset.person), date: source.dataset.date, shift: swap ? target.dataset.shift : null },
      { person: Number(target.dataset.person), date: target.dataset.date, shift: source.dataset.shift },
    ];
    var what = (swap ? "Swap " : "Move ") + source.dataset.shift + " from " + describe(source) + " to " + describe(target);
    say(what + "…");
    change(cells, swap ? "swap" : "move").then(function (result) {
      if (result.ok) return;
      var lines = reasons(result.body);
      var text = what + " refused: " + (lines.length ? lines.join("; ") : result.body.message) + ".";
      say(text, true);
      loadOptions(target).then(function (options) { say(text + alternatives(options, source.dataset.shift), true); });
    });
  });

  /* --- multi-select and the toolbar ------------------------------------------------------------------ */
  var tools = document.querySelector("[data-selection-tools]");
  function selected() { return Array.prototype.slice.call(table.querySelectorAll("td.cell.selected button")); }
  function refreshTools() {
    var n = selected().length;
    tools.hidden = n === 0;
    tools.querySelector('[data-field="selected"]').textContent = String(n);
  }
  function toggle(button) {
    var on = button.parentElement.classList.toggle("selected");
    button.setAttribute("aria-pressed", on ? "true" : "false");
    refreshTools();
  }
  table.addEventListener("keydown", function (event) {
    if (event.key === " " && event.target.matches("td.cell button")) { event.preventDefault(); toggle(event.target); }
  });
  document.querySelectorAll("[data-bulk]").forEach(function (control) {
    control.addEventListener("click", function () {
      var kind = control.dataset.bulk;
      var buttons = selected();
      if (kind === "deselect") { buttons.forEach(toggle); return; }
      var shift = document.getElementById("bulk-shift").value;
      var cells = buttons.map(function (b) {
        return {
          person: Number(b.dataset.person),
          date: b.dataset.date,
          shift: kind === "clear" ? null : kind === "set" ? shift : (b.dataset.shift || null),
          locked: kind !== "release",
        };
      });
      var label = { clear: "Clear", set: "Set " + shift + " on", release: "Release the locks of" }[kind];
      say(label + " " + cells.length + " cell(s)…");
      change(cells, kind === "release" ? "release" : "bulk").then(function (result) {
        if (result.ok) return;
        var lines = ((result.body.extra || {}).cells || []).map(function (c) {
          var b = cellOf(c.person, c.date);
          return (b ? describe(b) : c.date) + ": " + c.message;
        });
        say(result.body.message + (lines.length ? " — " + lines.join("; ") : "") + " Nothing was changed.", true);
      });
    });
  });

  /* --- undo ------------------------------------------------------------------------------------------ */
  var undo = document.querySelector("[data-undo]");
  if (undo) {
    undo.addEventListener("click", function () {
      api("POST", "/undo").then(function (result) {
        if (result.ok) { window.location.reload(); return; }
        say("Not undone: " + (result.body.message || result.status), true);
      });
    });
  }
})();
