import Foundation
import Testing
@testable import Common
import TestSupport

@Suite(.unitTimeLimit) struct DotEnvTests {
    @Test func parsesCommentsQuotesAndExport() {
        let parsed = DotEnv.parse("""
            # a comment
            SPACES_ACCESS_KEY=abc
            export SPACES_BUCKET = my-bucket
            SPACES_SECRET_KEY="s3cr#t \\"quoted\\""
            SPACES_REGION='nyc3 # not a comment'
            SPACES_ACL=public-read # trailing comment
            EMPTY=
            not a line
            WINDOWS=crlf\r

            """)
        #expect(parsed.values["SPACES_ACCESS_KEY"] == "abc")
        #expect(parsed.values["SPACES_BUCKET"] == "my-bucket")
        #expect(parsed.values["SPACES_SECRET_KEY"] == "s3cr#t \"quoted\"")
        #expect(parsed.values["SPACES_REGION"] == "nyc3 # not a comment")
        #expect(parsed.values["SPACES_ACL"] == "public-read")
        #expect(parsed.values["EMPTY"] == "")
        #expect(parsed.values["WINDOWS"] == "crlf")
        #expect(parsed.ignoredLines == [8])
    }
}
