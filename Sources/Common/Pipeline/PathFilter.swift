import FoundationEssentials
import Glibc

/// `--include GLOB` and `--exclude GLOB` (img-scan), applied to each image's path relative to the scanned folder.
///
/// The rules, in the order they were given:
/// - the **last** rule that matches a file decides whether it is taken (as in aws-cli), so
///   `--exclude 'raw' --include 'raw/keep'` takes `raw/keep/a.jpg` and leaves the rest of `raw/` out;
/// - a file that no rule matches is taken, unless the **first** rule is an `--include`: then only what some
///   `--include` matches is taken (`--include '*.jpg'` alone means JPEGs only, not "everything, JPEGs too");
/// - a pattern without a slash is matched against every name in the path, folders and the file alike
///   (`--exclude raw` leaves out every folder called `raw` and what is in it; `--exclude '*.png'` every PNG);
/// - a pattern with a slash is matched against the path from the scanned folder down, and against the path of
///   every folder above the file (`--exclude 2019/raw` leaves out `2019/raw/` and all below it);
/// - `*`, `?` and `[...]` are the shell's (`fnmatch(3)`), case-sensitive; `*` and `?` never match a slash.
public struct PathFilter: Sendable, Equatable {
    public enum Kind: String, Codable, Sendable { case include, exclude }

    public struct Rule: Codable, Sendable, Equatable {
        public var kind: Kind
        public var pattern: String

        public init(_ kind: Kind, _ pattern: String) {
            self.kind = kind
            self.pattern = pattern
        }

        /// A leading slash anchors nothing more than a slash anywhere already does: it is dropped.
        var anchored: Bool { pattern.contains("/") }
        var matchable: String {
            var text = Substring(pattern)
            while text.hasPrefix("/") { text.removeFirst() }
            while text.count > 1 && text.hasSuffix("/") { text.removeLast() }
            return String(text)
        }
    }

    public let rules: [Rule]

    public init(_ rules: [Rule] = []) { self.rules = rules }

    public var isEmpty: Bool { rules.isEmpty }

    /// A bad value of a scan option, worded for the command line.
    public struct Problem: Error, CustomStringConvertible, Equatable {
        public let description: String
    }

    /// Why `pattern` cannot be a rule, or nil when it can.
    public static func problem(with pattern: String, option: String) -> String? {
        if pattern.isEmpty { return "\(option) needs a pattern (got an empty one)" }
        if pattern.allSatisfy({ $0 == "/" }) { return "\(option) '\(pattern)' names no file or folder" }
        return nil
    }

    /// Whether the file at `rel` (raw bytes, `/`-separated) is taken.
    public func admits(_ rel: [UInt8]) -> Bool {
        guard let first = rules.first else { return true }
        let names = rel.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: true).map { Array($0) }
        // The path of every folder above the file, then the file's own.
        var paths: [[UInt8]] = []
        var joined: [UInt8] = []
        for name in names {
            joined += joined.isEmpty ? name : [UInt8(ascii: "/")] + name
            paths.append(joined)
        }
        for rule in rules.reversed() {
            let candidates = rule.anchored ? paths : names
            let pattern = rule.matchable
            if candidates.contains(where: { Self.matches(pattern, $0) }) { return rule.kind == .include }
        }
        return first.kind == .exclude
    }

    static func matches(_ pattern: String, _ bytes: [UInt8]) -> Bool {
        (bytes + [0]).withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { fnmatch(pattern, $0.baseAddress!, FNM_PATHNAME) == 0 }
        }
    }
}

extension PathFilter {
    /// The `--include`/`--exclude` rules in command-line order, read from the words themselves (`--include X`,
    /// `--include=X`, up to `--`). The values parsed per option are the truth: when the words disagree with
    /// them (an abbreviation the reader does not know), the includes come first, then the excludes.
    public static func orderedRules(in words: [String], include: [String], exclude: [String]) -> [Rule] {
        var rules: [Rule] = []
        var index = 0
        while index < words.count, words[index] != "--" {
            let word = words[index]
            for kind in [Kind.include, .exclude] {
                let option = "--" + kind.rawValue
                if word == option, index + 1 < words.count {
                    rules.append(Rule(kind, words[index + 1]))
                    index += 1
                } else if word.hasPrefix(option + "=") {
                    rules.append(Rule(kind, String(word.dropFirst(option.count + 1))))
                }
            }
            index += 1
        }
        let agrees = rules.filter { $0.kind == .include }.map(\.pattern) == include
            && rules.filter { $0.kind == .exclude }.map(\.pattern) == exclude
        return agrees ? rules : include.map { Rule(.include, $0) } + exclude.map { Rule(.exclude, $0) }
    }
}
