/* Tremplin: small progressive enhancements; every page works without this file. */
(function () {
  "use strict";

  /* A form page with errors: the summary takes the focus, so that a keyboard or screen-reader
     user starts from what is wrong (each entry links to its field). */
  function focusErrorSummary() {
    var summary = document.querySelector("[data-tr-error-summary]");
    if (summary) { summary.focus(); }
  }

  /* A table wider than its box scrolls: the keyboard can reach it (tabindex), it is announced
     as a region named after its caption, and a shadow shows that there is more to see. */
  function markScrollableTables() {
    var boxes = document.querySelectorAll(".tr-table-wide");
    for (var i = 0; i < boxes.length; i++) {
      var box = boxes[i];
      var scrolls = box.scrollWidth > box.clientWidth + 1;
      if (scrolls) {
        if (!box.hasAttribute("tabindex")) {
          var caption = box.querySelector("caption");
          box.setAttribute("tabindex", "0");
          box.setAttribute("role", "region");
          box.setAttribute("aria-label", (caption ? caption.textContent.trim() + " — " : "") + "tableau défilant horizontalement");
          box.setAttribute("data-tr-scrollable", "");
          var hint = document.createElement("p");
          hint.className = "tr-scroll-hint";
          hint.setAttribute("aria-hidden", "true");
          hint.textContent = "↔ Tableau plus large que l’écran : faites-le défiler (glisser, ou flèches du clavier).";
          box.parentNode.insertBefore(hint, box);
        }
      } else if (box.hasAttribute("data-tr-scrollable")) {
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
        box.removeAttribute("aria-label");
        box.removeAttribute("data-tr-scrollable");
        var previous = box.previousElementSibling;
        if (previous && previous.className === "tr-scroll-hint") { previous.parentNode.removeChild(previous); }
      }
    }
  }

  /* Below the design system's breakpoint the main navigation sits in the « Menu » dialog: the
     « Menu » skip link opens it and moves the focus to its first link instead of landing on a
     hidden element. */
  function skipToMenu(event) {
    var link = event.target.closest ? event.target.closest('a[href="#navigation-principale"]') : null;
    var button = document.getElementById("bouton-menu");
    if (!link || !button || button.offsetParent === null) { return; }
    event.preventDefault();
    button.click();
    window.setTimeout(function () {
      var first = document.querySelector("#navigation-principale a");
      if (first) { first.focus(); }
    }, 300);
  }

  /* A commune field: suggestions as the user types, in a datalist (the server resolves any usual
     spelling, a postal code or an INSEE code; without this script it lists the candidates). */
  function communeSuggestions(input, index) {
    var list = document.createElement("datalist");
    list.id = (input.id || "commune") + "-suggestions-" + index;
    input.parentNode.appendChild(list);
    input.setAttribute("list", list.id);
    var timer = null;
    var asked = "";
    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        var text = input.value.trim();
        if (text.length < 2 || text === asked) { return; }
        asked = text;
        var request = new XMLHttpRequest();
        request.open("GET", "/lieux/communes/suggestions/?q=" + encodeURIComponent(text));
        request.onload = function () {
          if (request.status !== 200) { return; }
          var found = JSON.parse(request.responseText).suggestions;
          while (list.firstChild) { list.removeChild(list.firstChild); }
          for (var i = 0; i < found.length; i++) {
            var option = document.createElement("option");
            option.value = found[i].label;
            option.textContent = found[i].label + " — " + found[i].code;
            list.appendChild(option);
          }
        };
        request.send();
      }, 200);
    });
  }

  function ready() {
    var communes = document.querySelectorAll("input[data-tr-commune]");
    for (var c = 0; c < communes.length; c++) { communeSuggestions(communes[c], c); }
    focusErrorSummary();
    markScrollableTables();
    var timer = null;
    window.addEventListener("resize", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(markScrollableTables, 150);
    });
    document.addEventListener("click", skipToMenu);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
})();
