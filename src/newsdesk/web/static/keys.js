/* newsdesk keyboard shortcuts. Plain script from our own address (the pages' policy allows
   script-src 'self' and nothing inline); every page works the same without it.

     j / k    next / previous item in the page's list of articles or stories
     o, Enter open the selected item
     m / s    toggle read / saved on the selected item, or on the open article
     /        focus the search box
     g h      go to the front page
     ?        this list of keys (the dialog #keys-help; Escape closes it)

   An item is any `.item`, `.story-card`, `.timeline-item` or `.story-list > li` in <main>.
   Selecting one moves the focus to its first link, so Enter and screen readers behave as with
   Tab; the item also gets the class `kb-selected` for a visible mark.

   Read and saved are the page's own forms, found by `data-action="toggle-read"` or
   `"toggle-save"` on the form or on its submit button, and submitted as a click on that button
   would; where there is none the key does nothing. */
(function () {
  "use strict";

  var ITEMS = "main .item, main .story-card, main .timeline-item, main .story-list > li";
  var SELECTED = "kb-selected";
  var PREFIX_MS = 1500;  // how long "g" waits for its second key
  var pendingG = 0;

  function items() {
    return Array.prototype.slice.call(document.querySelectorAll(ITEMS));
  }

  function current(list) {
    var marked = document.querySelector("." + SELECTED);
    var active = document.activeElement;
    var around = active && active.closest ? active.closest(ITEMS) : null;
    var at = list.indexOf(around || marked);
    return at;
  }

  function select(item) {
    var old = document.querySelectorAll("." + SELECTED);
    for (var i = 0; i < old.length; i++) { old[i].classList.remove(SELECTED); }
    item.classList.add(SELECTED);
    var link = item.querySelector("a[href]");
    var target = link || item;
    if (!link) { item.setAttribute("tabindex", "-1"); }
    target.focus({ preventScroll: true });
    item.scrollIntoView({ block: "nearest" });
  }

  function move(step) {
    var list = items();
    if (!list.length) { return false; }
    var at = current(list);
    var next = at < 0 ? (step > 0 ? 0 : list.length - 1)
                      : Math.min(Math.max(at + step, 0), list.length - 1);
    select(list[next]);
    return true;
  }

  function selected() {
    var list = items();
    var at = current(list);
    return at < 0 ? null : list[at];
  }

  function open() {
    var item = selected();
    var link = item ? item.querySelector("a[href]") : null;
    if (!link) { return false; }
    link.click();
    return true;
  }

  // the control for `action`: a form marked with it (submitted through its button) or a
  // submit button marked with it; either way sent as a click on that button would send it
  function submitter(found) {
    if (found.tagName === "FORM") {
      return { form: found, button: found.querySelector(
        "button:not([type]), button[type=submit], input[type=submit]") };
    }
    return { form: found.form, button: found };
  }

  function toggle(action) {
    var scope = selected();
    var selector = ['form', 'button', 'input[type=submit]'].map(function (tag) {
      return tag + '[data-action="' + action + '"]';
    }).join(", ");
    var found = null;
    if (scope) {
      found = scope.querySelector(selector);
    } else {  // the open article's own control: one that belongs to no list item
      var all = document.querySelectorAll(selector);
      for (var i = 0; i < all.length && !found; i++) {
        if (!all[i].closest(ITEMS)) { found = all[i]; }
      }
    }
    var target = found ? submitter(found) : null;
    if (!target || !target.form) { return false; }
    if (target.form.requestSubmit) {
      target.form.requestSubmit(target.button || undefined);
    } else {
      target.form.submit();
    }
    return true;
  }

  function focusSearch() {
    var box = document.querySelector("main [role=search] input[type=search]") ||
              document.querySelector("[role=search] input[type=search]");
    if (!box) { return false; }
    box.focus();
    box.select();
    return true;
  }

  var returnFocus = null;

  function showHelp() {
    var dialog = document.getElementById("keys-help");
    if (!dialog || dialog.open || !dialog.showModal) { return false; }
    returnFocus = document.activeElement;
    dialog.showModal();
    return true;
  }

  function typing(target) {
    if (!target || !target.closest) { return false; }
    return !!target.closest("input, textarea, select, [contenteditable], dialog[open]");
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.altKey || event.metaKey ||
        event.isComposing || typing(event.target)) {
      return;
    }
    var key = event.key;
    var done = false;
    if (pendingG && Date.now() - pendingG < PREFIX_MS) {
      pendingG = 0;
      if (key === "h") {
        event.preventDefault();
        window.location.assign("/");
        return;
      }
    }
    pendingG = 0;
    if (key === "j") {
      done = move(1);
    } else if (key === "k") {
      done = move(-1);
    } else if (key === "o") {
      done = open();
    } else if (key === "Enter") {
      // a focused link or button answers Enter itself; otherwise open the selected item
      var here = event.target;
      if (!(here && here.closest && here.closest("a[href], button, summary"))) { done = open(); }
    } else if (key === "m") {
      done = toggle("toggle-read");
    } else if (key === "s") {
      done = toggle("toggle-save");
    } else if (key === "/") {
      done = focusSearch();
    } else if (key === "?") {
      done = showHelp();
    } else if (key === "g") {
      pendingG = Date.now();
      done = true;
    }
    if (done) { event.preventDefault(); }
  });

  var help = document.getElementById("keys-help");
  if (help) {
    help.addEventListener("close", function () {
      if (returnFocus && returnFocus.focus && document.contains(returnFocus)) {
        returnFocus.focus();
      }
      returnFocus = null;
    });
  }
}());
