import Common
import Foundation
import TestSupport
import Testing

/// What every command shares: --help, --version, and exit 64 for a bad command line.
@Suite(.integrationTimeLimit) struct CommandLineTests {
    @Test(arguments: ["img-scan", "spaces-exists", "img-thumb", "spaces-put", "spaces-ls", "spaces-get", "upload-review", "upload-run"])
    func helpVersionAndUsageErrors(command: String) throws {
        let help = try Shell.run("\(command) --help")
        #expect(help.status == 0 && help.stdout.contains("USAGE: \(command)"))
        let version = try Shell.run("\(command) --version")
        #expect(version.status == 0 && version.stdout == "\(command) \(Toolkit.version)\n")
        let bad = try Shell.run("\(command) --no-such-option")
        #expect(bad.status == 64)
    }
}

/// The messages of a wrong setup name what was looked at: the folder without a `.env`, the server that refused.
@Suite(.integrationTimeLimit) struct SetupMessageTests {
    @Test func missingSettingsNameTheFolderWithoutADotEnv() throws {
        let folder = try TemporaryDirectory()
        let run = try Shell.run("spaces-put --check", directory: folder.path)
        #expect(run.status == 2)
        let real = URL(fileURLWithPath: folder.path).resolvingSymlinksInPath().path
        #expect(run.stderr == "spaces-put: error: Missing required environment variables: SPACES_ACCESS_KEY, SPACES_SECRET_KEY, SPACES_BUCKET (there is no .env in \(real); --env-file FILE reads another file)\n"
                || run.stderr.contains("(there is no .env in \(folder.path);"), "\(run.stderr)")
        // With a .env there, the message is the Python tool's, unchanged.
        try "SPACES_BUCKET=b\n".write(toFile: folder.path + "/.env", atomically: false, encoding: .utf8)
        chmod(folder.path + "/.env", 0o600)
        let partial = try Shell.run("spaces-put --check", directory: folder.path)
        #expect(partial.stderr.hasPrefix("spaces-put: error: Missing required environment variables: SPACES_ACCESS_KEY, SPACES_SECRET_KEY")
                && !partial.stderr.contains(".env in"), "\(partial.stderr)")
    }
}
