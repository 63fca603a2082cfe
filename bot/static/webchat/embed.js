/* Loa Làng web chat embed for the commune portal:
 *   <script src="https://HOST/embed.js" async></script>
 * adds a floating chat button that opens the chat in an iframe (everything served by HOST). */
(function () {
  "use strict";
  if (window.__loalangEmbed) { return; }
  window.__loalangEmbed = true;
  var S = __STRINGS__;
  var script = document.currentScript;
  var origin = script && script.src ? new URL(script.src).origin : "";
  var lang = (document.documentElement.lang || "vi").slice(0, 2) === "en" ? "en" : "vi";

  var btn = document.createElement("button");
  btn.type = "button";
  btn.textContent = S.open_chat;
  btn.setAttribute("aria-expanded", "false");
  var bs = btn.style;
  bs.position = "fixed"; bs.right = "16px"; bs.bottom = "16px"; bs.zIndex = "2147483000";
  bs.minHeight = "52px"; bs.padding = "0 20px"; bs.borderRadius = "26px"; bs.border = "0";
  bs.background = "#0b5d3b"; bs.color = "#fff"; bs.font = "600 16px system-ui, sans-serif";
  bs.boxShadow = "0 2px 8px rgba(0,0,0,.3)"; bs.cursor = "pointer";

  var frame = null;
  btn.addEventListener("click", function () {
    if (!frame) {
      frame = document.createElement("iframe");
      frame.src = origin + "/?embed=1&lang=" + lang;
      frame.title = S.open_chat;
      frame.setAttribute("allow", "geolocation");
      var fs = frame.style;
      fs.position = "fixed"; fs.right = "16px"; fs.bottom = "80px"; fs.zIndex = "2147483000";
      fs.width = "min(400px, calc(100vw - 32px))"; fs.height = "min(640px, calc(100vh - 100px))";
      fs.border = "1px solid #c9d6ce"; fs.borderRadius = "14px"; fs.background = "#fff";
      fs.boxShadow = "0 4px 20px rgba(0,0,0,.25)";
      document.body.appendChild(frame);
    } else {
      frame.hidden = !frame.hidden;
    }
    var open = !frame.hidden;
    btn.textContent = open ? S.close_chat : S.open_chat;
    btn.setAttribute("aria-expanded", open ? "true" : "false");
  });
  function add() { document.body.appendChild(btn); }
  if (document.body) { add(); } else { document.addEventListener("DOMContentLoaded", add); }
}());
