import FoundationEssentials

/// Reads `KEY=VALUE` files in the `.env` format that python-dotenv and docker-compose accept:
/// `#` comments, an optional `export ` prefix, single quotes (literal) and double quotes
/// (with `\n`, `\t`, `\"` and `\\` escapes), and ` #` comments after unquoted values.
public enum DotEnv {
    public struct ParseResult: Equatable, Sendable {
        public var values: [String: String]
        /// Line numbers (1-based) that were not `KEY=VALUE` lines and were ignored.
        public var ignoredLines: [Int]
    }

    public static func parse(_ text: String) -> ParseResult {
        var values: [String: String] = [:]
        var ignored: [Int] = []
        // "\r\n" is one Character in Swift, so split on both forms.
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
        for (index, rawLine) in lines.enumerated() {
            var line = rawLine
            line = line.drop(while: { $0 == " " || $0 == "\t" })
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("export ") { line = line.dropFirst("export ".count).drop(while: { $0 == " " }) }
            guard let equals = line.firstIndex(of: "="),
                  case let key = line[..<equals].trimmingWhitespace(),
                  isValidKey(key)
            else {
                ignored.append(index + 1)
                continue
            }
            values[key] = parseValue(line[line.index(after: equals)...])
        }
        return ParseResult(values: values, ignoredLines: ignored)
    }

    static func isValidKey(_ key: String) -> Bool {
        guard let first = key.unicodeScalars.first, first == "_" || first.properties.isAlphabetic else { return false }
        return key.unicodeScalars.allSatisfy { $0 == "_" || $0 == "." || ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) }
    }

    static func parseValue(_ raw: Substring) -> String {
        let value = raw.drop(while: { $0 == " " || $0 == "\t" })
        if value.hasPrefix("'"), let end = value.dropFirst().firstIndex(of: "'") {
            return String(value[value.index(after: value.startIndex)..<end])
        }
        if value.hasPrefix("\"") {
            return unescapeDoubleQuoted(value.dropFirst())
        }
        var unquoted = value
        if let comment = unquoted.firstRange(of: " #") ?? unquoted.firstRange(of: "\t#") {
            unquoted = unquoted[..<comment.lowerBound]
        }
        return unquoted.trimmingWhitespace()
    }

    static func unescapeDoubleQuoted(_ body: Substring) -> String {
        var result = ""
        var escaping = false
        for character in body {
            if escaping {
                switch character {
                case "n": result.append("\n")
                case "t": result.append("\t")
                case "r": result.append("\r")
                default: result.append(character)
                }
                escaping = false
            } else if character == "\\" {
                escaping = true
            } else if character == "\"" {
                return result
            } else {
                result.append(character)
            }
        }
        return result
    }
}
