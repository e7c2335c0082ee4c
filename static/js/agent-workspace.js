/* Agent workspace: move through search results with the arrow keys, and keep the consent text in step with the
   consent chosen while recording a call. Everything works without this script (links, Tab, server defaults). */
(function () {
  "use strict";

  function resultLinks() {
    return Array.prototype.slice.call(document.querySelectorAll("#search-results .search-results a"));
  }

  document.addEventListener("keydown", function (event) {
    var search = document.getElementById("customer-search");
    if (!search) {
      return;
    }
    var links = resultLinks();
    var index = links.indexOf(document.activeElement);
    if (event.target === search && event.key === "ArrowDown" && links.length) {
      event.preventDefault();
      links[0].focus();
    } else if (index >= 0 && event.key === "ArrowDown") {
      event.preventDefault();
      links[Math.min(index + 1, links.length - 1)].focus();
    } else if (index >= 0 && event.key === "ArrowUp") {
      event.preventDefault();
      (index === 0 ? search : links[index - 1]).focus();
    } else if (index >= 0 && event.key === "Escape") {
      search.focus();
    }
  });

  var consent = document.getElementById("id_consent");
  var wording = document.getElementById("id_consent_wording");
  var texts = document.getElementById("consent-wordings");
  if (consent && wording && texts) {
    var standard = JSON.parse(texts.textContent);
    var isStandard = function (text) {
      return Object.keys(standard).some(function (key) {
        return standard[key] === text;
      });
    };
    consent.addEventListener("change", function () {
      // Swap only an unchanged standard text: what the agent typed stays.
      if (consent.value && standard[consent.value] && (!wording.value || isStandard(wording.value))) {
        wording.value = standard[consent.value];
      }
    });
  }
})();
