# shellcheck shell=bash
# upload-images: the review page, an HTML file beside the results: every image's thumbnails in a grid, each
# linked to its original, and the failures with their reasons. Sourced by upload-images; review_page RESULTS
# PAGE writes it from the results file alone (jq reads each record as JSON; every text is HTML-escaped).

review_page() {
  local results=$1 page=$2
  {
    cat <<'HEAD'
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>upload-images review</title>
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #222; background: #fafafa; }
  h1 { font-size: 1.4em; margin: 0 0 .2em; }
  #status { margin: 0 0 1em; color: #555; }
  #status.missing { color: #b00; font-weight: bold; }
  .grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(220px, 1fr)); gap: 14px; }
  figure { margin: 0; padding: 8px; background: #fff; border: 1px solid #ddd; border-radius: 6px; }
  figure.skipped { border-style: dashed; }
  .thumbs { display: flex; flex-wrap: wrap; gap: 6px; align-items: flex-start; }
  .thumbs a { display: block; text-decoration: none; color: #555; font-size: 11px; text-align: center; }
  .thumbs img { display: block; max-width: 200px; max-height: 300px; background: repeating-conic-gradient(#eee 0 25%, #fff 0 50%) 0 0 / 16px 16px; }
  .thumbs img.broken { width: 100px; height: 150px; outline: 2px solid #b00; }
  figcaption { margin-top: 6px; word-break: break-all; }
  figcaption .state { display: block; color: #777; }
  .failures li { margin: .3em 0; }
  .failures code { background: #fee; padding: 0 .3em; }
</style>
</head>
<body>
<h1>upload-images review</h1>
HEAD
    # Counts, then one figure per uploaded or skipped image, then the failures: one jq over the file (a
    # resume of 10,000 images writes their page in a quarter of a second).
    jq -r -s '
      map(select(type == "object")) as $all
      | (reduce $all[] as $record ({}; .[$record.status // "none"] += 1)) as $n
      | [$all[] | select(.status == "failed")] as $failed
      | "<p id=\"counts\">\($n.uploaded // 0) uploaded, \($n.skipped // 0) already in the bucket, \($n.failed // 0) failed.</p>",
        "<p id=\"status\">Loading thumbnails&hellip;</p>", "<div class=\"grid\">",
        ($all[] | select(.status == "uploaded" or .status == "skipped")
          | ([{url: .thumbnail_url, spec: (.thumbnail_spec // "200x300")}] + [(.extra_thumbnails // [])[] | {url, spec}])
            as $thumbs
          | "<figure class=\"\(.status | @html)\"><div class=\"thumbs\">"
            + ([$thumbs[] | select(.url != null)
                | "<a href=\"\(.url | @html)\" title=\"\(.spec | @html)\"><img src=\"\(.url | @html)\" alt=\"\(.spec | @html)\" loading=\"lazy\">\(.spec | @html)</a>"]
               | join(""))
            + "</div><figcaption><a href=\"\(.url // "" | @html)\">\(.rel // "?" | @html)</a> <span class=\"state\">\(.status)</span></figcaption></figure>"),
        "</div>",
        (if ($failed | length) == 0 then "<h2>No failures</h2>"
         else "<h2>Failures (\($failed | length))</h2><ul class=\"failures\">"
           + ([$failed[] | "<li><code>\(.rel // .path // "?" | @html)</code>: \(.error // "failed" | @html)</li>"] | join("\n"))
           + "</ul>" end)' "$results"
    # Which thumbnails the browser could load, in the page and in its title (a headless browser reads both):
    # a private bucket (SPACES_ACL=private) or a wrong URL shows here, not as a page of empty boxes.
    cat <<'TAIL'
<script>
  (function () {
    var images = Array.prototype.slice.call(document.querySelectorAll(".thumbs img"));
    var status = document.getElementById("status");
    function settle(img) {
      return new Promise(function (done) {
        if (img.complete) { done(img.naturalWidth > 0); return; }
        img.addEventListener("load", function () { done(true); });
        img.addEventListener("error", function () { done(false); });
      });
    }
    images.forEach(function (img) { img.loading = "eager"; });
    Promise.all(images.map(settle)).then(function (loaded) {
      var missing = 0;
      loaded.forEach(function (ok, i) { if (!ok) { missing++; images[i].classList.add("broken"); } });
      var text = (loaded.length - missing) + " of " + loaded.length + " thumbnails loaded";
      if (missing) { text += "; " + missing + " did not (a private bucket, or not uploaded)"; status.className = "missing"; }
      status.textContent = text;
      document.title = "upload-images review: " + text;
      document.body.setAttribute("data-loaded", String(loaded.length - missing));
      document.body.setAttribute("data-missing", String(missing));
    });
  })();
</script>
</body>
</html>
TAIL
  } >"$page"
}
