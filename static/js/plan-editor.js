// The plan editor, made quicker with JavaScript (the form works without it):
// - each list of people (<select multiple data-people-picker>) gets a search box that
//   narrows the list as you type, and shows who is chosen as chips you can remove;
// - "Add a session" adds an empty session in place (Django's formset: TOTAL_FORMS is
//   raised) instead of reloading, and "Remove this session" hides the session at once;
// - choosing another place clears the error the last save gave the place before.
(function () {
  "use strict";

  function fold(text) {
    return text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function enhance(select) {
    if (select.dataset.enhanced) return;
    select.dataset.enhanced = "1";
    var search = document.createElement("input");
    search.type = "search";
    search.className = "people-search";
    search.placeholder = "Search people";
    var label = document.querySelector("label[for='" + select.id + "']");
    search.setAttribute("aria-label", "Search " + (label ? label.textContent.trim() : "people"));
    search.setAttribute("aria-controls", select.id);
    var chips = document.createElement("ul");
    chips.className = "chips";
    chips.setAttribute("aria-label", "Chosen");
    select.parentNode.insertBefore(search, select);
    select.parentNode.insertBefore(chips, select.nextSibling);

    function showChosen() {
      chips.textContent = "";
      Array.prototype.forEach.call(select.selectedOptions, function (option) {
        var item = document.createElement("li");
        var button = document.createElement("button");
        button.type = "button";
        button.className = "chip";
        button.textContent = option.textContent + " ×";
        button.setAttribute("aria-label", "Remove " + option.textContent);
        button.addEventListener("click", function () {
          option.selected = false;
          showChosen();
          select.dispatchEvent(new Event("change", { bubbles: true }));
        });
        item.appendChild(button);
        chips.appendChild(item);
      });
    }
    search.addEventListener("input", function () {
      var typed = fold(search.value.trim());
      Array.prototype.forEach.call(select.options, function (option) {
        option.hidden = typed !== "" && fold(option.textContent).indexOf(typed) < 0;
      });
    });
    // A click picks or unpicks one person without losing the others (no Ctrl needed).
    select.addEventListener("mousedown", function (event) {
      var option = event.target;
      if (option.tagName !== "OPTION") return;
      event.preventDefault();
      option.selected = !option.selected;
      select.focus();
      showChosen();
      select.dispatchEvent(new Event("change", { bubbles: true }));
    });
    select.addEventListener("change", showChosen);
    showChosen();
  }

  function renumber() {
    var shown = document.querySelectorAll("[data-session]:not([hidden])");
    Array.prototype.forEach.call(shown, function (card, index) {
      var number = card.querySelector("[data-session-number]");
      if (number) number.textContent = String(index + 1);
    });
  }

  function watchRemove(card) {
    var box = card.querySelector("input[name$='-DELETE']");
    if (!box) return;
    box.addEventListener("change", function () {
      if (!box.checked) return;
      card.hidden = true;
      renumber();
    });
  }

  function setUp(root) {
    Array.prototype.forEach.call(root.querySelectorAll("select[data-people-picker]"), enhance);
    Array.prototype.forEach.call(root.querySelectorAll("[data-session]"), watchRemove);
    if (root.matches("[data-session]")) watchRemove(root);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("plan-form");
    if (!form) return;
    setUp(form);
    var add = form.querySelector("button[name='add_session']");
    var template = document.getElementById("session-template");
    var total = form.querySelector("input[name='sessions-TOTAL_FORMS']");
    if (add && template && total) {
      add.addEventListener("click", function (event) {
        event.preventDefault();
        var index = parseInt(total.value, 10) || 0;
        if (index >= 8) return;
        var holder = document.createElement("div");
        holder.innerHTML = template.innerHTML.replace(/__prefix__/g, String(index));
        var card = holder.firstElementChild;
        document.getElementById("sessions").appendChild(card);
        total.value = String(index + 1);
        setUp(card);
        renumber();
        var first = card.querySelector("input, select");
        if (first) first.focus();
        if (index + 1 >= 8) add.hidden = true;
      });
    }
    // The place's error from the last save is about the place then chosen: once another is
    // chosen, the live preview ("Where") says what holds now.
    var place = form.querySelector("select[name='location_kind']");
    if (place) {
      place.addEventListener("change", function () {
        var error = document.getElementById("id_location_kind_error");
        if (error) error.remove();
        place.removeAttribute("aria-invalid");
      });
    }
  });
})();
