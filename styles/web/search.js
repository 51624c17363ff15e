/* The name search of the web edition: filters the index of names as you type.
   Both the query and every form of a name (display name, sort form, variants, the name in its own
   script) are folded to one spelling before they are compared, so that a visitor finds a person
   however the name was transliterated: Cyrillic is written in Latin letters, accents are dropped,
   and spellings that transliterations disagree on are merged (zh/j/dzh, kh/h, ts/tz/c, ch/c, y/i,
   w/v, x/ks, q/k, doubled letters). Works offline; no library. */
(function () {
  "use strict";

  var CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z",
    "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh",
    "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya",
    "ә": "a", "ғ": "g", "қ": "k", "ң": "n", "ө": "o", "ұ": "u", "ү": "u", "һ": "h", "і": "i",
    "ў": "u", "ї": "i", "є": "e", "ґ": "g"
  };
  var LATIN = { "š": "sh", "ž": "zh", "č": "ch", "ß": "ss", "æ": "ae", "ø": "o", "œ": "oe", "ł": "l", "đ": "d" };
  var FOLDS = [
    [/shch/g, "sh"], [/dzh/g, "j"], [/dj/g, "j"], [/zh/g, "j"], [/kh/g, "h"], [/tz/g, "c"],
    [/ts/g, "c"], [/ch/g, "c"], [/ph/g, "f"], [/ck/g, "k"], [/q/g, "k"], [/x/g, "ks"], [/w/g, "v"],
    [/y/g, "i"], [/(.)\1+/g, "$1"]
  ];

  /* A name or a query -> the one spelling they are compared in. */
  function fold(text) {
    var out = "";
    var lower = text.toLowerCase();
    for (var i = 0; i < lower.length; i++) {
      var ch = lower[i];
      out += CYRILLIC.hasOwnProperty(ch) ? CYRILLIC[ch] : LATIN.hasOwnProperty(ch) ? LATIN[ch] : ch;
    }
    out = out.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/[^a-z0-9]+/g, " ");
    for (var f = 0; f < FOLDS.length; f++) {
      out = out.replace(FOLDS[f][0], FOLDS[f][1]);
    }
    return " " + out.trim() + " ";
  }

  /* Every word of the query begins a word of the name, or stands inside it when it is long. */
  function matches(keys, words) {
    for (var w = 0; w < words.length; w++) {
      var word = words[w];
      if (keys.indexOf(" " + word) < 0 && (word.length < 4 || keys.indexOf(word) < 0)) {
        return false;
      }
    }
    return true;
  }

  function start() {
    var input = document.getElementById("q");
    var count = document.getElementById("q-count");
    if (!input) { return; }
    var people = Array.prototype.slice.call(document.querySelectorAll("li.person"));
    var groups = Array.prototype.slice.call(document.querySelectorAll("section.group"));
    var keys = people.map(function (li) {
      return li.getAttribute("data-names").split("|").map(fold).join(" ");
    });
    function update() {
      var words = fold(input.value).trim().split(" ").filter(Boolean);
      var shown = 0;
      people.forEach(function (li, i) {
        var hit = !words.length || matches(keys[i], words);
        li.hidden = !hit;
        if (hit) { shown++; }
      });
      groups.forEach(function (group) {
        group.hidden = !group.querySelector("li.person:not([hidden])");
      });
      var total = count.getAttribute("data-total");
      count.textContent = !words.length ? "" : shown ? count.getAttribute("data-found")
        .replace("{n}", shown).replace("{total}", total) : count.getAttribute("data-none");
    }
    input.addEventListener("input", update);
    /* A link to a person (names.html#id) must show that person, whatever the box holds. */
    function reveal() {
      var id = decodeURIComponent(location.hash.slice(1));
      var target = id && document.getElementById(id);
      if (target && target.hidden) {
        input.value = "";
        update();
        target.scrollIntoView();
      }
    }
    window.addEventListener("hashchange", reveal);
    input.form.addEventListener("submit", function (event) {
      event.preventDefault();
      var first = document.querySelector("li.person:not([hidden]) a");
      if (first) { first.focus(); }
    });
    update();
    reveal();
  }

  window.bookFold = fold;
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
