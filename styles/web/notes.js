/* Notes of the web edition on wide screens: pointing at a note's call, or reaching it with the
   keyboard, shows the note beside the text; Escape or moving away hides it. The call stays a
   link to the endnote (and the endnote's number a link back), so on a phone, without this
   script, or for a screen reader, nothing changes. */
(function () {
  "use strict";
  var WIDE = window.matchMedia("(min-width: 60rem) and (hover: hover)");
  var box = null;

  function hide() {
    if (box) { box.remove(); box = null; }
  }

  function show(call) {
    hide();
    if (!WIDE.matches) { return; }
    var note = document.getElementById(call.getAttribute("href").slice(1));
    if (!note) { return; }
    box = document.createElement("div");
    box.className = "note-popover";
    box.setAttribute("role", "note");
    box.id = "note-popover";
    box.innerHTML = note.innerHTML;
    Array.prototype.forEach.call(box.querySelectorAll("[id]"), function (el) { el.removeAttribute("id"); });
    document.body.appendChild(box);
    var r = call.getBoundingClientRect();
    var left = Math.min(r.left + window.scrollX, window.scrollX + document.documentElement.clientWidth - box.offsetWidth - 16);
    box.style.left = Math.max(window.scrollX + 8, left) + "px";
    box.style.top = (r.bottom + window.scrollY + 6) + "px";
  }

  function start() {
    var calls = document.querySelectorAll("a.call");
    Array.prototype.forEach.call(calls, function (call) {
      call.addEventListener("mouseenter", function () { show(call); });
      call.addEventListener("focus", function () { show(call); });
      call.addEventListener("mouseleave", hide);
      call.addEventListener("blur", hide);
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape") { hide(); }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
