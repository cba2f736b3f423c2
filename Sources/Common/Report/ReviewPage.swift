import FoundationEssentials

/// The review page of a run: one HTML file, from its result records alone, that a person opens to see what
/// went up. At the top, the counts and every failed image with its reason; then every uploaded or skipped
/// image's thumbnails in a grid sorted by path, each linked to its original (the first `limit` of each). Presigned URLs (`--presign`)
/// are used when a record has them, so a private bucket's thumbnails show too. Nothing is fetched from the
/// internet (no fonts, no scripts): the page works offline, and says how many thumbnails the browser could
/// load (in the page, its title and `data-loaded`/`data-missing`), so a private bucket without presigned
/// URLs shows as such rather than as empty boxes.
public struct ReviewPage {
    /// What the page needs of one result line.
    struct Entry: Decodable {
        struct Extra: Decodable {
            var spec: String?
            var url: String?
            var presignedUrl: String?
            enum CodingKeys: String, CodingKey { case spec, url, presignedUrl = "presigned_url" }
        }

        var rel: String?
        var path: String?
        var status: String?
        var error: String?
        var url: String?
        var thumbnailUrl: String?
        var thumbnailSpec: String?
        var presignedUrl: String?
        var presignedThumbnailUrl: String?
        var extraThumbnails: [Extra]?
        /// Deletion records (`--delete-removed`) are not images; nor are stream lines (`StreamMarker`).
        var action: String?

        enum CodingKeys: String, CodingKey {
            case rel, path, status, error, url, action
            case thumbnailUrl = "thumbnail_url", thumbnailSpec = "thumbnail_spec", presignedUrl = "presigned_url"
            case presignedThumbnailUrl = "presigned_thumbnail_url", extraThumbnails = "extra_thumbnails"
        }

        var name: String { rel ?? path ?? "?" }

        /// Each thumbnail's URL (presigned when there is one) and what it is.
        var thumbnails: [(url: String, spec: String)] {
            var all: [(String, String)] = []
            if let url = presignedThumbnailUrl ?? thumbnailUrl { all.append((url, thumbnailSpec ?? "200x300")) }
            for extra in extraThumbnails ?? [] {
                if let url = extra.presignedUrl ?? extra.url { all.append((url, extra.spec ?? "")) }
            }
            return all
        }
    }

    /// At most this many images in the grid and failures in the list, the first by path: a run of a million
    /// images makes a page a browser opens, in the memory of a thousand (the results file holds every one).
    public static let limit = 1000

    private var shown: [Entry] = []
    private var failed: [Entry] = []
    private var uploaded = 0, skipped = 0, failedCount = 0

    public init() {}

    /// Takes one line of a results file; lines that are not image records are left out.
    public mutating func add(line: Data) {
        guard line.contains(UInt8(ascii: "{")), let entry = try? JSONDecoder().decode(Entry.self, from: line),
              entry.action == nil, entry.path != nil || StreamMarker.decode(line) == nil else { return }
        switch entry.status {
        case "uploaded": uploaded += 1; Self.keep(entry, in: &shown)
        case "skipped": skipped += 1; Self.keep(entry, in: &shown)
        case "failed": failedCount += 1; Self.keep(entry, in: &failed)
        default: break
        }
    }

    /// `entry` among the first `limit` by path (sorted and cut each time twice as many are held).
    private static func keep(_ entry: Entry, in entries: inout [Entry]) {
        entries.append(entry)
        guard entries.count >= 2 * limit else { return }
        entries.sort(by: byPath)
        entries.removeLast(entries.count - limit)
    }

    private static func first(_ entries: [Entry]) -> ArraySlice<Entry> { entries.sorted(by: byPath).prefix(limit) }

    public var imageCount: Int { uploaded + skipped + failedCount }

    /// Whether the page will hold presigned URLs (which open private objects until they expire).
    public var hasPresignedURLs: Bool {
        shown.contains { $0.presignedUrl != nil || $0.presignedThumbnailUrl != nil || $0.extraThumbnails?.contains { $0.presignedUrl != nil } == true }
    }

    /// The whole page.
    public func html() -> String {
        var out = Self.head
        out += "<p id=\"counts\">\(uploaded) uploaded, \(skipped) already in the bucket, \(failedCount) failed.</p>\n"
        if failed.isEmpty {
            out += "<h2>No failures</h2>\n"
        } else {
            out += "<h2>Failures (\(failedCount))</h2>\n<ul class=\"failures\">\n"
            for entry in Self.first(failed) {
                out += "<li><code>\(Self.escaped(entry.name))</code>: \(Self.escaped(entry.error ?? "failed"))</li>\n"
            }
            out += "</ul>\n"
            if failedCount > Self.limit { out += "<p class=\"more\">The first \(Self.limit) by path; the failures file lists every one.</p>\n" }
        }
        if uploaded + skipped > Self.limit {
            out += "<p class=\"more\">The first \(Self.limit) of \(uploaded + skipped) images by path; the results file lists every one.</p>\n"
        }
        out += "<p id=\"status\">Loading thumbnails&hellip;</p>\n<div class=\"grid\">\n"
        for entry in Self.first(shown) {
            let status = entry.status ?? ""
            out += "<figure class=\"\(Self.escaped(status))\"><div class=\"thumbs\">"
            for thumbnail in entry.thumbnails {
                let url = Self.escaped(thumbnail.url), spec = Self.escaped(thumbnail.spec)
                out += "<a href=\"\(url)\" title=\"\(spec)\"><img src=\"\(url)\" alt=\"\(spec)\" loading=\"lazy\">\(spec)</a>"
            }
            let link = Self.escaped(entry.presignedUrl ?? entry.url ?? "")
            out += "</div><figcaption><a href=\"\(link)\">\(Self.escaped(entry.name))</a> <span class=\"state\">\(Self.escaped(status))</span></figcaption></figure>\n"
        }
        out += "</div>\n" + Self.tail
        return out
    }

    /// By path, byte for byte (as S3 orders keys).
    static func byPath(_ a: Entry, _ b: Entry) -> Bool { a.name.utf8.lexicographicallyPrecedes(b.name.utf8) }

    /// Text for HTML content and quoted attributes.
    static func escaped(_ text: String) -> String { MarkupText.escaped(text, quotes: true) }

    static let head = """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>upload-images review</title>
        <style>
          body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #222; background: #fafafa; }
          h1 { font-size: 1.4em; margin: 0 0 .2em; }
          h2 { font-size: 1.1em; }
          #status { margin: 1em 0; color: #555; }
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

        """

    static let tail = """
        <script>
          (function () {
            var images = Array.prototype.slice.call(document.querySelectorAll(".thumbs img"));
            var status = document.getElementById("status");
            function settle(img) {
              return new Promise(function (done) {
                if (img.complete) { done(img.naturalWidth > 0); return; }
                img.addEventListener("load", function () { done(img.naturalWidth > 0); });
                img.addEventListener("error", function () { done(false); });
              });
            }
            images.forEach(function (img) { img.loading = "eager"; });
            Promise.all(images.map(settle)).then(function (loaded) {
              var missing = 0;
              loaded.forEach(function (ok, i) { if (!ok) { missing++; images[i].classList.add("broken"); } });
              var text = (loaded.length - missing) + " of " + loaded.length + " thumbnails loaded";
              if (missing) { text += "; " + missing + " did not (a private bucket without --presign, or not uploaded)"; status.className = "missing"; }
              status.textContent = text;
              document.title = "upload-images review: " + text;
              document.body.setAttribute("data-loaded", String(loaded.length - missing));
              document.body.setAttribute("data-missing", String(missing));
            });
          })();
        </script>
        </body>
        </html>

        """
}
