// matdiff embed helper: include it on a page with matdiff iframes
//   <script src="https://…/matdiff/embed.js" async></script>
// and each matdiff iframe takes the height its page reports ({type: "matdiff:height", height}).
(function () {
  "use strict";
  if (window.__matdiffEmbed) return;
  window.__matdiffEmbed = true;
  window.addEventListener("message", function (event) {
    var data = event.data;
    if (!data || data.type !== "matdiff:height") return;
    var height = Number(data.height);
    if (!isFinite(height) || height <= 0 || height > 100000) return;
    var frames = document.getElementsByTagName("iframe");
    for (var i = 0; i < frames.length; i++) {
      if (frames[i].contentWindow === event.source) {
        frames[i].style.height = Math.ceil(height) + "px";
        break;
      }
    }
  });
})();
