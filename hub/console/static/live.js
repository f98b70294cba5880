// Live parts of the console: an element with data-live="<url>" has its
// contents replaced by that URL's HTML every few seconds. Without this
// script the pages still work; a reload shows the same.
"use strict";
(function () {
  const EVERY_MS = 5000;
  for (const el of document.querySelectorAll("[data-live]")) {
    const url = el.getAttribute("data-live");
    setInterval(async () => {
      try {
        const r = await fetch(url, { credentials: "same-origin", headers: { "X-Live": "1" } });
        if (r.ok && !r.redirected) {
          el.innerHTML = await r.text();
        }
      } catch (e) {
        // The hub may be restarting; the next round tries again.
      }
    }, EVERY_MS);
  }
})();
