// Progressive enhancement for the case page: copy a paragraph's link, print.
(function () {
  document.documentElement.classList.add("js");
  document.addEventListener("click", function (event) {
    var link = event.target.closest("[data-copy-link]");
    if (link && navigator.clipboard) {
      event.preventDefault();
      var url = location.href.split("#")[0] + link.getAttribute("href");
      navigator.clipboard.writeText(url).then(function () {
        history.replaceState(null, "", link.getAttribute("href"));
        link.textContent = "已复制链接";
        setTimeout(function () { link.textContent = "本段链接"; }, 2000);
      });
    }
    if (event.target.closest("[data-print]")) window.print();
  });
})();
