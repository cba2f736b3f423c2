import Foundation
import TestSupport
import Testing
@testable import Common

/// The review page from result lines alone (the browser's view of it is IntegrationTests' ReviewPageTests).
@Suite(.unitTimeLimit) struct ReviewPageUnitTests {
    func page(_ lines: [String]) -> String {
        var page = ReviewPage()
        for line in lines { page.add(line: Data(line.utf8)) }
        return page.html()
    }

    @Test func presignedURLsAreUsedWhenThereAndEveryTextIsEscaped() {
        let html = page([
            #"{"by":"spaces-put","stream":"begin"}"#,
            #"{"path":"/p/b.jpg","rel":"b.jpg","status":"uploaded","url":"http://s/b.jpg","thumbnail_url":"http://s/t/b.jpg","presigned_url":"http://s/b.jpg?X-Amz-Signature=1&a=b","presigned_thumbnail_url":"http://s/t/b.jpg?X-Amz-Signature=2","extra_thumbnails":[{"key":"k","spec":"200x300.webp","url":"http://s/t/b.webp","presigned_url":"http://s/t/b.webp?sig"}]}"#,
            #"{"path":"/p/a <i>.jpg","rel":"a <i>.jpg","status":"skipped","url":"http://s/a.jpg","thumbnail_url":"http://s/t/a.jpg"}"#,
            #"{"path":"/p/z.jpg","rel":"z.jpg","status":"failed","error":"broken <b>\"x\"</b>"}"#,
            #"{"error":"input line 3: not a JSON record","status":"failed"}"#,
            #"{"action":"delete","key":"avatar/original/old.jpg","kind":"original","status":"deleted"}"#,
            "not json",
        ])
        #expect(html.contains(#"<p id="counts">1 uploaded, 1 already in the bucket, 2 failed.</p>"#))
        #expect(html.contains(#"<img src="http://s/t/b.jpg?X-Amz-Signature=2" alt="200x300""#))
        #expect(html.contains(#"<img src="http://s/t/b.webp?sig" alt="200x300.webp""#))
        #expect(html.contains(#"<a href="http://s/b.jpg?X-Amz-Signature=1&amp;a=b">b.jpg</a>"#))
        #expect(html.contains(#"<a href="http://s/a.jpg">a &lt;i&gt;.jpg</a>"#), "no presigned URL: the public one")
        #expect(html.contains("<code>z.jpg</code>: broken &lt;b&gt;&quot;x&quot;&lt;/b&gt;"))
        #expect(html.contains("<code>?</code>: input line 3: not a JSON record"))
        #expect(!html.contains("old.jpg") && !html.contains("stream"))
        // Failures at the top, then the images by path.
        let failures = html.range(of: "<h2>Failures (2)</h2>")!.lowerBound, grid = html.range(of: #"<div class="grid">"#)!.lowerBound
        #expect(failures < grid)
        #expect(html.range(of: ">a &lt;i&gt;.jpg</a>")!.lowerBound < html.range(of: ">b.jpg</a>")!.lowerBound)
        #expect(!html.contains("http://") || !html.contains("<link") && !html.contains("<script src"), "nothing loaded from elsewhere")
    }

    /// A record with a field of the user's named `stream` is still an image; only a stream line is left out.
    @Test func aUsersStreamFieldIsNotAStreamLine() {
        let html = page([#"{"path":"/p/a.jpg","rel":"a.jpg","status":"uploaded","stream":"begin","by":"me","url":"u","thumbnail_url":"t"}"#,
                         #"{"by":"spaces-put","exit":0,"failed":0,"records":1,"stream":"end"}"#])
        #expect(html.contains("1 uploaded, 0 already in the bucket, 0 failed.") && html.contains(">a.jpg</a>"))
    }

    @Test func noFailuresIsSaid() {
        #expect(page([]).contains("0 uploaded, 0 already in the bucket, 0 failed.") && page([]).contains("<h2>No failures</h2>"))
    }

    /// A run of thousands: the page holds the first 1,000 images and failures by path, the counts of all, and
    /// says where the rest are.
    @Test func aBigRunShowsTheFirstThousandOfEach() {
        let images = (0..<2_500).reversed().map { #"{"path":"/p/\#($0).jpg","rel":"\#(String(format: "%05d", $0)).jpg","status":"uploaded","url":"u","thumbnail_url":"t"}"# }
        let failures = (0..<1_200).map { #"{"path":"/p/f\#($0).jpg","rel":"f\#(String(format: "%05d", $0)).jpg","status":"failed","error":"broken"}"# }
        let html = page(images + failures)
        #expect(html.contains("2500 uploaded, 0 already in the bucket, 1200 failed.") && html.contains("<h2>Failures (1200)</h2>"))
        #expect(html.components(separatedBy: "<figure").count - 1 == 1_000 && html.components(separatedBy: "<li>").count - 1 == 1_000)
        #expect(html.contains(">00999.jpg</a>") && !html.contains(">01000.jpg</a>"))
        #expect(html.contains("<code>f00999.jpg</code>") && !html.contains("<code>f01000.jpg</code>"))
        #expect(html.contains("The first 1000 of 2500 images by path; the results file lists every one."))
        #expect(html.contains("The first 1000 by path; the failures file lists every one."))
    }
}
