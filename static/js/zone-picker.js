// A search box for every <select data-zone-picker>: type a city, a country, an old name
// ("Calcutta") or a UTC offset ("+5:30") and pick from what matches. The select stays the
// form's field (and the whole picker without JavaScript); picking sets it and fires its
// "change", which the page listens to (htmx, or a form's own handler).
(function () {
  "use strict";

  function fold(text) {
    return text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function words(text) {
    return fold(text).split(/[\s/()]+/).filter(Boolean);
  }

  // The same rule as scheduling.lib.zones.matches: every word typed begins a word of the
  // zone's terms; zones where each typed word is a whole word come first.
  function search(options, query) {
    var typed = words(query);
    if (!typed.length) return [];
    var exact = [], partial = [];
    options.forEach(function (option) {
      var terms = option.dataset.terms.split(" ");
      var all = typed.every(function (w) {
        return terms.some(function (t) { return t.indexOf(w) === 0; });
      });
      if (!all) return;
      var whole = typed.every(function (w) { return terms.indexOf(w) >= 0; });
      (whole ? exact : partial).push(option);
    });
    return exact.concat(partial);
  }

  function enhance(select) {
    if (select.dataset.enhanced) return;
    select.dataset.enhanced = "1";
    var options = Array.prototype.slice.call(select.querySelectorAll("option[data-terms]"));
    var box = document.createElement("div");
    box.className = "zone-search";
    var input = document.createElement("input");
    input.type = "search";
    input.id = select.id + "-search";
    input.autocomplete = "off";
    input.placeholder = "Search a city, country or UTC offset";
    input.setAttribute("aria-label", "Search time zones");
    input.setAttribute("aria-controls", select.id + "-results");
    var list = document.createElement("ul");
    list.id = select.id + "-results";
    list.className = "zone-results";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", "Matching time zones");
    list.hidden = true;
    box.appendChild(input);
    box.appendChild(list);
    select.parentNode.insertBefore(box, select);

    function close() {
      list.hidden = true;
      list.innerHTML = "";
    }

    function pick(option) {
      select.value = option.value;
      input.value = "";
      close();
      select.dispatchEvent(new Event("change", { bubbles: true }));
    }

    function show() {
      var found = search(options, input.value).slice(0, 8);
      list.innerHTML = "";
      if (!input.value.trim()) return close();
      if (!found.length) {
        var none = document.createElement("li");
        none.className = "zone-none";
        none.textContent = "No time zone matches “" + input.value.trim() + "”.";
        list.appendChild(none);
      }
      found.forEach(function (option, index) {
        var item = document.createElement("li");
        var button = document.createElement("button");
        button.type = "button";
        button.className = "zone-result";
        button.setAttribute("role", "option");
        button.id = select.id + "-result-" + index;
        button.textContent = option.textContent;
        button.addEventListener("click", function () { pick(option); });
        item.appendChild(button);
        list.appendChild(item);
      });
      list.hidden = false;
    }

    input.addEventListener("input", show);
    input.addEventListener("keydown", function (event) {
      var buttons = list.querySelectorAll("button");
      if (event.key === "Enter") {
        event.preventDefault();
        if (buttons.length) buttons[0].click();
      } else if (event.key === "Escape") {
        input.value = "";
        close();
      } else if (event.key === "ArrowDown" && buttons.length) {
        event.preventDefault();
        buttons[0].focus();
      }
    });
    list.addEventListener("keydown", function (event) {
      var buttons = Array.prototype.slice.call(list.querySelectorAll("button"));
      var at = buttons.indexOf(document.activeElement);
      if (event.key === "ArrowDown" && at < buttons.length - 1) {
        event.preventDefault();
        buttons[at + 1].focus();
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        (at > 0 ? buttons[at - 1] : input).focus();
      } else if (event.key === "Escape") {
        input.focus();
        close();
      }
    });
  }

  function start() {
    document.querySelectorAll("select[data-zone-picker]").forEach(enhance);
  }
  // Pickers that arrive in a fragment htmx swapped in.
  document.addEventListener("htmx:load", function (event) {
    event.target.querySelectorAll("select[data-zone-picker]").forEach(enhance);
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
