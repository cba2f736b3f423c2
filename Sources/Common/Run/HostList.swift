import FoundationEssentials

/// The hosts of `--hosts FILE` and `--sshlogin LOGINS`, in GNU parallel's `--sshloginfile` form, each login
/// with its count of workers (`2/h1`, `4/:`); a login without a count gets --workers. Hostgroups
/// (`@group/`) mean nothing here and are dropped; an empty count (`//usr/bin/myssh host`) is none.
public struct HostList: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        public var workers: Int
        public var login: String
        public var line: String { "\(workers)/\(login)" }
    }

    public var entries: [Entry]
    public var workers: Int { entries.reduce(0) { $0 + $1.workers } }

    public enum Problem: Error, Equatable {
        /// Exit 2: a file that cannot be read.
        case unreadable(String)
        /// Exit 64: a bad line, or no host at all.
        case usage(String)
    }

    /// `files` are read; `logins` are comma-separated lists. `read` gives a file's text, nil when unreadable.
    public static func parse(files: [String], logins: [String], workers: Int, read: (String) -> String?) -> Result<HostList, Problem> {
        var given: [(where: String, line: String)] = []
        for file in files {
            guard let text = read(file) else { return .failure(.unreadable("cannot read hosts file: \(file)")) }
            for scalars in text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false) {
                let raw = String(String.UnicodeScalarView(scalars.last == "\r" ? scalars.dropLast() : scalars))
                let line = raw.trimmingWhitespace()
                if !line.isEmpty && !line.hasPrefix("#") { given.append(("--hosts \(file)", line)) }
            }
        }
        for list in logins {
            for login in list.split(separator: ",") where !login.isEmpty { given.append(("--sshlogin", String(login))) }
        }
        guard !given.isEmpty else {
            return .failure(.usage("--hosts/--sshlogin: no host given (one login a line, or LOGIN,LOGIN; ':' is this machine)"))
        }
        var entries: [Entry] = []
        for (place, line) in given {
            var login = Substring(line)
            if login.hasPrefix("@"), let slash = login.firstIndex(of: "/") { login = login[login.index(after: slash)...] }
            var count = workers
            if let slash = login.firstIndex(of: "/"), login[..<slash].allSatisfy(\.isASCII), login[..<slash].allSatisfy(\.isNumber),
               login.index(after: slash) < login.endIndex {
                let digits = login[..<slash]
                login = login[login.index(after: slash)...]
                if !digits.isEmpty {
                    guard digits.count <= 4, let value = Int(digits), (1...1000).contains(value) else {
                        return .failure(.usage("\(place): '\(line)': the workers before the '/' must be a whole number from 1 to 1000"))
                    }
                    count = value
                }
            }
            entries.append(Entry(workers: count, login: String(login)))
        }
        return .success(HostList(entries: entries))
    }

    /// parallel's --sshloginfile text.
    public var fileText: String { entries.map(\.line).joined(separator: "\n") + "\n" }
}
