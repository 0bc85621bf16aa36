// The candidate's week grid on the availability page: tap or drag over half-hours to mark
// the times they can do. The form's rows (a day, from, to) stay the form's fields and the
// whole page without JavaScript: the grid only writes its runs of marked half-hours into
// them, and reads them back when a row is typed in.
(function () {
  "use strict";

  var STEP = 30; // minutes per cell
  var FIRST = 6 * 60; // the grid shows 06:00 to 23:00 unless the usual hours reach further
  var LAST = 23 * 60;
  var DAY_NAMES = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
  var MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

  function minutesOf(text) {
    var m = /^(\d{1,2}):(\d{2})/.exec(text || "");
    return m ? Number(m[1]) * 60 + Number(m[2]) : null;
  }

  function clock(minutes) {
    var h = Math.floor(minutes / 60), m = minutes % 60;
    return (h < 10 ? "0" : "") + h + ":" + (m < 10 ? "0" : "") + m;
  }

  function parseDay(iso) {
    var p = iso.split("-").map(Number);
    return new Date(Date.UTC(p[0], p[1] - 1, p[2]));
  }

  function weekday(iso) {
    return (parseDay(iso).getUTCDay() + 6) % 7; // Monday 0
  }

  function label(iso) {
    var d = parseDay(iso);
    return DAY_NAMES[weekday(iso)] + " " + d.getUTCDate() + " " + MONTHS[d.getUTCMonth()];
  }

  function init(wrap) {
    var form = wrap.closest("form");
    var list = form.querySelector(".avail-rows-list");
    var days = wrap.dataset.days ? wrap.dataset.days.split(",") : [];
    if (!days.length || !list) return;
    var hoursStart = minutesOf(wrap.dataset.hoursStart);
    var hoursEnd = wrap.dataset.hoursEnd === "24:00" ? 24 * 60 : minutesOf(wrap.dataset.hoursEnd);
    var hourDays = (wrap.dataset.hourDays || "").split(",").map(Number);
    var first = Math.min(FIRST, Math.floor(hoursStart / 60) * 60);
    var last = Math.max(LAST, Math.ceil(hoursEnd / 60) * 60);
    var h12 = wrap.dataset.cycle === "12"; // the hours' labels as the candidate's language writes them
    function hourLabel(minutes) {
      if (!h12) return clock(minutes);
      var h = Math.floor(minutes / 60) % 24;
      return (h % 12 || 12) + (h < 12 ? "\u00a0am" : "\u00a0pm");
    }
    var marked = {}; // "YYYY-MM-DD@minutes" -> true
    // Before this moment (the plan's notice) nothing can be booked: those cells are off.
    var earliest = (wrap.dataset.earliest || "").split("@");
    function tooSoon(iso, t) {
      return iso < earliest[0] || (iso === earliest[0] && t < Number(earliest[1]));
    }

    // The weeks (Monday first) the days fall in.
    var weeks = [];
    days.forEach(function (iso) {
      var monday = parseDay(iso).getTime() - weekday(iso) * 86400000;
      var week = weeks.length && weeks[weeks.length - 1].monday === monday ? weeks[weeks.length - 1] : null;
      if (!week) {
        week = { monday: monday, days: [null, null, null, null, null, null, null] };
        weeks.push(week);
      }
      week.days[weekday(iso)] = iso;
    });
    var current = 0;
    var grid = wrap.querySelector(".avail-grid");
    var title = wrap.querySelector(".avail-week-title");

    function rowsToMarks() {
      marked = {};
      list.querySelectorAll(".avail-row").forEach(function (row) {
        var day = row.querySelector("select").value;
        var a = minutesOf(row.querySelector("[name=start]").value);
        var b = row.querySelector("[name=end]").value;
        b = b === "00:00" || b === "24:00" ? 24 * 60 : minutesOf(b);
        if (!day || a === null || b === null) return;
        for (var t = Math.ceil(a / STEP) * STEP; t + STEP <= b; t += STEP) marked[day + "@" + t] = true;
      });
    }

    function runs() {
      var found = [];
      days.forEach(function (iso) {
        var start = null;
        for (var t = 0; t <= 24 * 60; t += STEP) {
          var on = t < 24 * 60 && marked[iso + "@" + t];
          if (on && start === null) start = t;
          if (!on && start !== null) {
            found.push([iso, start, t]);
            start = null;
          }
        }
      });
      return found;
    }

    function marksToRows() {
      var found = runs();
      var rows = list.querySelectorAll(".avail-row");
      while (rows.length < found.length + 1) {
        var copy = rows[rows.length - 1].cloneNode(true);
        copy.classList.remove("has-error");
        copy.querySelectorAll(".field-error").forEach(function (e) { e.remove(); });
        list.appendChild(copy);
        rows = list.querySelectorAll(".avail-row");
      }
      rows.forEach(function (row, i) {
        var run = found[i];
        row.classList.remove("has-error");
        row.querySelectorAll(".field-error").forEach(function (e) { e.remove(); });
        row.querySelector("select").value = run ? run[0] : "";
        row.querySelector("[name=start]").value = run ? clock(run[1]) : "";
        row.querySelector("[name=end]").value = run ? clock(run[2] % (24 * 60)) : "";
        row.hidden = !run && i > found.length; // one empty row stays for typing
      });
    }

    function render() {
      var week = weeks[current];
      var shown = week.days.filter(Boolean);
      title.textContent = label(shown[0]) + " – " + label(shown[shown.length - 1]);
      wrap.querySelector("[data-week='-1']").disabled = current === 0;
      wrap.querySelector("[data-week='1']").disabled = current === weeks.length - 1;
      var html = '<div class="avail-head" role="row"><span role="columnheader"></span>';
      week.days.forEach(function (iso, n) {
        var text = iso ? DAY_NAMES[n] + "<br>" + parseDay(iso).getUTCDate() : DAY_NAMES[n];
        html += '<span role="columnheader" class="' + (iso ? "" : "off") + '">' + text + "</span>";
      });
      html += "</div>";
      for (var t = first; t < last; t += STEP) {
        html += '<div class="avail-line" role="row"><span class="avail-time" role="rowheader">' +
          (t % 60 === 0 ? hourLabel(t) : "") + "</span>";
        week.days.forEach(function (iso, n) {
          if (!iso || tooSoon(iso, t)) {
            html += '<span class="cell off" role="gridcell" aria-disabled="true"></span>';
            return;
          }
          var usual = hourDays.indexOf(n) >= 0 && t >= hoursStart && t + STEP <= hoursEnd;
          var on = marked[iso + "@" + t];
          html += '<button type="button" role="gridcell" class="cell' + (usual ? " usual" : "") +
            (on ? " on" : "") + '" data-key="' + iso + "@" + t + '" aria-pressed="' + (on ? "true" : "false") +
            '" aria-label="' + label(iso) + " " + clock(t) + "–" + clock(t + STEP) + '"></button>';
        });
        html += "</div>";
      }
      grid.innerHTML = html;
    }

    // Tap toggles a cell; a drag paints every cell it passes with what the first became.
    var painting = null;
    function paint(cell) {
      if (!cell || !cell.dataset || !cell.dataset.key) return;
      if (painting === true) marked[cell.dataset.key] = true;
      else delete marked[cell.dataset.key];
      cell.classList.toggle("on", painting);
      cell.setAttribute("aria-pressed", painting ? "true" : "false");
    }
    grid.addEventListener("pointerdown", function (event) {
      var cell = event.target.closest(".cell[data-key]");
      if (!cell) return;
      event.preventDefault();
      painting = !marked[cell.dataset.key];
      paint(cell);
      if (cell.releasePointerCapture) cell.releasePointerCapture(event.pointerId);
    });
    grid.addEventListener("pointermove", function (event) {
      if (painting === null) return;
      var under = document.elementFromPoint(event.clientX, event.clientY);
      paint(under && under.closest && under.closest(".cell[data-key]"));
    });
    function stop() {
      if (painting === null) return;
      painting = null;
      marksToRows();
    }
    document.addEventListener("pointerup", stop);
    document.addEventListener("pointercancel", stop);
    // Keyboard: Enter or Space on a cell toggles it (the pointer handlers do not run).
    grid.addEventListener("click", function (event) {
      var cell = event.target.closest(".cell[data-key]");
      if (!cell || event.detail !== 0) return;
      painting = !marked[cell.dataset.key];
      paint(cell);
      painting = null;
      marksToRows();
    });
    wrap.querySelectorAll("[data-week]").forEach(function (button) {
      button.addEventListener("click", function () {
        current = Math.max(0, Math.min(weeks.length - 1, current + Number(button.dataset.week)));
        render();
      });
    });
    list.addEventListener("change", function () {
      rowsToMarks();
      render();
    });

    rowsToMarks();
    // Open on the week of the first time already given, else the first.
    var firstMarked = Object.keys(marked).sort()[0];
    if (firstMarked) {
      weeks.forEach(function (week, n) {
        if (week.days.indexOf(firstMarked.split("@")[0]) >= 0) current = n;
      });
    }
    wrap.hidden = false;
    render();
  }

  function start() {
    document.querySelectorAll("#avail-grid").forEach(init);
    // The zone picker reloads the page in the zone chosen.
    document.querySelectorAll("select[data-submit-on-change]").forEach(function (select) {
      select.addEventListener("change", function () { select.form.submit(); });
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
