import Foundation
import TestSupport
import Testing
@testable import Common

@Suite(.unitTimeLimit) struct URIEncodingTests {
    @Test(arguments: [
        ("photos/a b.jpg", "photos/a%20b.jpg"),
        ("a+b=c.jpg", "a%2Bb%3Dc.jpg"),
        ("100%.png", "100%25.png"),
        ("tilde~dash-dot._", "tilde~dash-dot._"),
        ("café/é.jpg", "caf%C3%A9/%C3%A9.jpg"),
        ("😀.jpg", "%F0%9F%98%80.jpg"),
        ("a//b/../c", "a//b/../c"),
        ("x(1)&'$,;:@!*.jpg", "x%281%29%26%27%24%2C%3B%3A%40%21%2A.jpg"),
    ])
    func keysKeepSlashesAndEncodeEverythingElse(key: String, encoded: String) {
        #expect(URIEncoding.encode(key, keepSlash: true) == encoded)
    }

    @Test func queryValuesEncodeSlashes() {
        #expect(URIEncoding.encode("avatar/original/", keepSlash: false) == "avatar%2Foriginal%2F")
        #expect(SigV4Signer.canonicalQuery([("prefix", "a b/"), ("list-type", "2")]) == "list-type=2&prefix=a%20b%2F")
    }
}
