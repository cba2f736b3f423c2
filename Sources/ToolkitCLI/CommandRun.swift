import ArgumentParser
import Common

/// What every command of the toolkit does around its own work, so that each command reads as its options,
/// `validate()` and one call into the library. Library code never prints or exits: it reports and throws,
/// and these decide what reaches the terminal and with which exit status. The command-line layer: only the
/// commands and this target know ArgumentParser; the library (Common, Imaging) does not.
public enum CommandRun {
    /// Names the command's messages (`spaces-put: error: ...`), turns on debug lines, and makes a closed
    /// stdout pipe an ordinary end rather than death by SIGPIPE.
    public static func begin(_ name: String, debug: Bool) {
        Console.commandName = name
        Console.debugEnabled = debug
        Console.ignoreSIGPIPE()
    }

    /// Work that must succeed before any record is read (configuration, credentials, a folder, libvips):
    /// its error on one line, then exit 2.
    public static func setUp<T>(_ work: () throws -> T) throws(ExitCode) -> T {
        do {
            return try work()
        } catch {
            Console.error("\(error)")
            StageStream.current?.endFatal("\(error)")
            throw ExitCode(Toolkit.Exit.fatal)
        }
    }

    /// Ends the command's stream (`StageStream`) after its work, whose own status was `own`: exits with the
    /// status that the stream's rule gives (`StreamTally`), when it is not 0.
    public static func finish(own: Int32 = 0) throws(ExitCode) {
        guard let stream = StageStream.current else {
            if own != 0 { throw ExitCode(own) }
            return
        }
        let status = stream.finish(own: own)
        if status != 0 { throw ExitCode(status) }
    }

    /// The settings from `.env` (or `envFile`) and the environment; a warning for each line it ignores.
    public static func loadConfig(envFile: String?) throws(ConfigError) -> SpacesConfig {
        try ConfigLoader.load(envFile: envFile, warn: Console.warning)
    }

    /// Writes output lines: a reader that went away (`head`) ends the command quietly with 0; any other
    /// failure (a full disk) is said on one line, with exit 2.
    public static func output(_ write: () throws(LineWriter.Failure) -> Void) throws(ExitCode) {
        do {
            try write()
        } catch .closed {
            throw ExitCode.success
        } catch {
            Console.error("\(error)")
            throw ExitCode(Toolkit.Exit.fatal)
        }
    }
}
