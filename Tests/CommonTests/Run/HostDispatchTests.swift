@testable import Common
import Foundation
import TestSupport
import Testing

/// The words GNU parallel and ssh get in a --hosts run.
@Suite(.unitTimeLimit) struct HostDispatchTests {
    @Test func sshGetsOurOptionsAfterTheGivenCommandAndReusesConnectionsWhenTheSocketPathFits() {
        let short = HostDispatch(hosts: 3, connectTimeout: 2.5, work: "/tmp/upload-images.abc")
        #expect(short.loginSeconds == 3 && short.probeSeconds == 6)
        #expect(short.sshCommand(base: nil) == "ssh -o BatchMode=yes -o ConnectTimeout=3 -o ServerAliveInterval=15 -o ServerAliveCountMax=4 "
            + "-o ControlMaster=auto -o 'ControlPath=/tmp/upload-images.abc/ssh/%C' -o ControlPersist=15")
        #expect(short.sshCommand(base: "ssh -p 2222 -o ConnectTimeout=9").hasPrefix("ssh -p 2222 -o ConnectTimeout=9 -o BatchMode=yes "))
        #expect(short.sshCommand(base: "").hasPrefix("ssh -o BatchMode=yes"))
        // A work folder whose socket path would pass 104 bytes: no reuse, ssh would refuse the path.
        let long = HostDispatch(hosts: 1, connectTimeout: 10, work: "/" + String(repeating: "w", count: 60))
        #expect(long.controlFolder == nil && !long.sshCommand(base: nil).contains("Control"))
        // A quote in the folder stays one word for the shell parallel gives the command to.
        #expect(HostDispatch.shellQuoted("a'b c") == #"'a'\''b c'"#)
    }

    @Test func probeAndUploadWords() {
        let one = HostDispatch(hosts: 1, connectTimeout: 10, work: "/w")
        #expect(one.probeWords == ["--nonall", "--tag", "-j", "1", "--timeout", "20"])
        // At least two tries for a batch, else one per host.
        #expect(one.uploadWords(largestBatch: 5000, headerBytes: 300) == ["--block", String(5300 + 1_048_576), "--retries", "2"])
        #expect(HostDispatch(hosts: 5, connectTimeout: 0.1, work: "/w").uploadWords(largestBatch: 0, headerBytes: 0).last == "5")
        #expect(HostDispatch(hosts: 5, connectTimeout: 0.1, work: "/w").loginSeconds == 1)
    }

    @Test func theHeaderCarriesTheWordsAndOnlyTheSpacesVariables() throws {
        let header = HostDispatch.header(bin: "/opt/bin", tag: "T", thumb: ["--size", "200x300"], put: ["--prefix", "a b"],
                                         environment: ["SPACES_BUCKET": "b", "HOME": "/root", "SPACES_ACCESS_KEY": "k"],
                                         settings: "SPACES_REGION=x\n")
        let words = try #require(Data(base64Encoded: header)).split(separator: 0, omittingEmptySubsequences: false)
            .map { String(decoding: $0, as: UTF8.self) }
        #expect(words == ["bin=/opt/bin", "tag=T", "thumb=--size", "thumb=200x300", "put=--prefix", "put=a b",
                          "env=SPACES_ACCESS_KEY=k", "env=SPACES_BUCKET=b", "settings=SPACES_REGION=x\n", ""])
        #expect(!header.contains("\n"))
    }

    @Test func tagsAreRandomAndSafeInALine() {
        let tags = Set((0..<50).map { _ in HostDispatch.newTag() })
        #expect(tags.count == 50)
        #expect(tags.allSatisfy { $0.count == 12 && $0.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" } })
    }
}
