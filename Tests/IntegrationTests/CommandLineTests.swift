import Common
import Foundation
import TestSupport
import Testing

/// What every command shares: --help, --version, and exit 64 for a bad command line.
@Suite(.integrationTimeLimit) struct CommandLineTests {
    @Test(arguments: ["img-scan", "spaces-exists", "img-thumb", "spaces-put", "upload-review"])
    func helpVersionAndUsageErrors(command: String) throws {
        let help = try Shell.run("\(command) --help")
        #expect(help.status == 0 && help.stdout.contains("USAGE: \(command)"))
        let version = try Shell.run("\(command) --version")
        #expect(version.status == 0 && version.stdout == Toolkit.version + "\n")
        let bad = try Shell.run("\(command) --no-such-option")
        #expect(bad.status == 64)
    }
}
