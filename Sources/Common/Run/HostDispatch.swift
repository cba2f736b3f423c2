import FoundationEssentials
import Glibc

/// How GNU parallel and ssh carry the batches of a `--hosts` run (docs/hosts.md): the ssh command, the probe's
/// limits, how many tries a batch gets, the size of parallel's blocks, and the header in front of every batch.
/// The script only runs parallel with these words.
public struct HostDispatch: Sendable, Equatable {
    /// The hosts to run on (after the probe, those that answered).
    public var hosts: Int
    /// --connect-timeout in whole seconds: ssh's ConnectTimeout.
    public var loginSeconds: Int
    public var work: String

    public init(hosts: Int, connectTimeout: Double, work: String) {
        self.hosts = max(1, hosts)
        self.loginSeconds = max(1, Int(connectTimeout.rounded(.up)))
        self.work = work
    }

    /// The probe logs in once per host: as long to connect, and as long again to answer.
    public var probeSeconds: Int { 2 * loginSeconds }

    /// A batch that failed is tried again on another host: as many tries as hosts, and at least two.
    public var tries: Int { max(hosts, 2) }

    /// The folder of the reused connections' sockets, when its path leaves room for ssh's `%C` (40 characters)
    /// within a socket path's 104 bytes; nil: no connection reuse.
    public var controlFolder: String? {
        let folder = work + "/ssh"
        return folder.utf8.count + "/%C".utf8.count + 40 < 104 ? folder : nil
    }

    /// parallel's `--ssh` (a command line parallel gives to the shell): `ssh`, or $PARALLEL_SSH, then our options.
    /// ssh takes an option's first value, so an `-o` in $PARALLEL_SSH wins over ours: BatchMode (no prompt),
    /// ConnectTimeout, ServerAlive (a host gone is noticed within a minute) and connection reuse.
    public func sshCommand(base: String?) -> String {
        var words = ["-o BatchMode=yes", "-o ConnectTimeout=\(loginSeconds)", "-o ServerAliveInterval=15", "-o ServerAliveCountMax=4"]
        if let folder = controlFolder {
            words += ["-o ControlMaster=auto", "-o " + Self.shellQuoted("ControlPath=\(folder)/%C"), "-o ControlPersist=15"]
        }
        let ssh = base.flatMap { $0.isEmpty ? nil : $0 } ?? "ssh"
        return ([ssh] + words).joined(separator: " ")
    }

    /// parallel's words for the probe: every host at once, each within `probeSeconds`.
    public var probeWords: [String] { ["--nonall", "--tag", "-j", String(hosts), "--timeout", String(probeSeconds)] }

    /// parallel's words for the upload: a block holds the largest batch and its header whole (so parallel never
    /// grows one, and warns), and a failed batch gets `tries`.
    public func uploadWords(largestBatch: Int, headerBytes: Int) -> [String] {
        ["--block", String(largestBatch + headerBytes + (1 << 20)), "--retries", String(tries)]
    }

    /// The header's words, NUL-terminated, then base64 (one line): where the commands are here, the run's tag,
    /// img-thumb's and spaces-put's words, the SPACES_* variables of `environment` and the settings file's text.
    /// It holds the secret: it goes through pipes only (to parallel, then in the ssh connection), never into a
    /// file or onto a command line.
    public static func header(bin: String, tag: String, thumb: [String], put: [String],
                              environment: [String: String], settings: String?) -> String {
        var words = ["bin=" + bin, "tag=" + tag]
        words += thumb.map { "thumb=" + $0 }
        words += put.map { "put=" + $0 }
        words += environment.keys.filter { $0.hasPrefix("SPACES_") }.sorted().map { "env=\($0)=\(environment[$0] ?? "")" }
        if let settings { words.append("settings=" + settings) }
        return WorkFile.nulTerminated(words).base64EncodedString()
    }

    /// A run's tag: 12 characters of base64url from 9 random bytes, put before every record a host answers so
    /// that no other text it prints can pass for one.
    public static func newTag() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<9).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return String(Data(bytes).base64EncodedString().map { $0 == "/" ? "_" : $0 == "+" ? "-" : $0 })
    }

    /// `text` as one word for a POSIX shell.
    static func shellQuoted(_ text: String) -> String {
        "'" + text.split(separator: "'", omittingEmptySubsequences: false).joined(separator: #"'\''"#) + "'"
    }
}
