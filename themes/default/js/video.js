/* Click-to-play videos. The page names each video and links to it on its host; nothing
   is requested from the host until the reader presses the play button, which this script
   shows. Without the script, the link remains. */
"use strict";
document.querySelectorAll("figure.video[data-embed]").forEach(function (figure) {
  var frame = figure.querySelector(".video-frame");
  var button = figure.querySelector(".video-play");
  if (!frame || !button) return;
  frame.hidden = false;
  button.addEventListener("click", function () {
    var player = document.createElement("iframe");
    player.src = figure.getAttribute("data-embed");
    player.title = figure.getAttribute("data-title");
    player.allow = "autoplay; encrypted-media; picture-in-picture; fullscreen";
    player.allowFullscreen = true;
    player.referrerPolicy = "strict-origin-when-cross-origin";
    frame.replaceChildren(player);
    player.focus();
  });
});
