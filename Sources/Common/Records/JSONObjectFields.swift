import FoundationEssentials

/// The top-level members of one JSON object, each name with its value's bytes exactly as written, so that
/// fields a stage does not know (a `user_id` joined in with jq) go on unchanged.
/// https://www.rfc-editor.org/rfc/rfc8259 (sections 4, 7)
///
/// Only for text that already parsed as a JSON object: it follows the structure, it does not validate it.
public enum JSONObjectFields {
    public struct Member: Sendable, Equatable {
        public var name: String
        /// The value's JSON text, without surrounding whitespace.
        public var value: [UInt8]

        public init(name: String, value: [UInt8]) {
            self.name = name
            self.value = value
        }
    }

    /// The members in the order written; nil when `bytes` is not an object this scanner can follow.
    public static func members(of bytes: [UInt8]) -> [Member]? {
        var index = 0
        func skipSpace() {
            while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
        }
        skipSpace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: "{") else { return nil }
        index += 1
        var members: [Member] = []
        while true {
            skipSpace()
            guard index < bytes.count else { return nil }
            if bytes[index] == UInt8(ascii: "}") { return members }
            if bytes[index] == UInt8(ascii: ",") { index += 1; skipSpace() }
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\""),
                  let nameEnd = endOfString(bytes, from: index),
                  let name = decodeString(bytes[index..<nameEnd]) else { return nil }
            index = nameEnd
            skipSpace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { return nil }
            index += 1
            skipSpace()
            guard let valueEnd = endOfValue(bytes, from: index) else { return nil }
            members.append(Member(name: name, value: Array(bytes[index..<valueEnd])))
            index = valueEnd
        }
    }

    /// The top-level member `name`'s value when it is a string, decoded; nil when there is no such member, its value
    /// is not a string, or `bytes` is not an object this scanner can follow. Allocates only the answer: for one
    /// field of many lines (a resume's 10,000 statuses), where a JSONDecoder per line costs several times as much.
    public static func string(named name: String, in bytes: [UInt8]) -> String? {
        let wanted = Array(name.utf8)
        var index = 0
        func skipSpace() {
            while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x09 || bytes[index] == 0x0A || bytes[index] == 0x0D { index += 1 }
        }
        skipSpace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: "{") else { return nil }
        index += 1
        while true {
            skipSpace()
            guard index < bytes.count, bytes[index] != UInt8(ascii: "}") else { return nil }
            if bytes[index] == UInt8(ascii: ",") { index += 1; skipSpace() }
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\""), let nameEnd = endOfString(bytes, from: index) else { return nil }
            let quoted = bytes[index..<nameEnd]
            let named = quoted.contains(UInt8(ascii: "\\")) ? decodeString(quoted).map { Array($0.utf8) == wanted } ?? false
                : quoted.dropFirst().dropLast().elementsEqual(wanted)
            index = nameEnd
            skipSpace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { return nil }
            index += 1
            skipSpace()
            guard let valueEnd = endOfValue(bytes, from: index) else { return nil }
            if named { return bytes[index] == UInt8(ascii: "\"") ? decodeString(bytes[index..<valueEnd]) : nil }
            index = valueEnd
        }
    }

    /// The index just past the string that starts (with its quote) at `start`.
    static func endOfString(_ bytes: [UInt8], from start: Int) -> Int? {
        var index = start + 1
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "\\"): index += 2
            case UInt8(ascii: "\""): return index + 1
            default: index += 1
            }
        }
        return nil
    }

    /// The index just past the value that starts at `start`: a string, an object or array (nested to any
    /// depth, strings inside skipped whole), or a number or literal.
    static func endOfValue(_ bytes: [UInt8], from start: Int) -> Int? {
        guard start < bytes.count else { return nil }
        switch bytes[start] {
        case UInt8(ascii: "\""):
            return endOfString(bytes, from: start)
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            var depth = 0
            var index = start
            while index < bytes.count {
                switch bytes[index] {
                case UInt8(ascii: "\""):
                    guard let end = endOfString(bytes, from: index) else { return nil }
                    index = end
                    continue
                case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    depth -= 1
                    if depth == 0 { return index + 1 }
                default: break
                }
                index += 1
            }
            return nil
        default:
            var index = start
            while index < bytes.count, ![UInt8(ascii: ","), UInt8(ascii: "}"), 0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) {
                index += 1
            }
            return index > start ? index : nil
        }
    }

    static func decodeString(_ quoted: ArraySlice<UInt8>) -> String? {
        let inner = quoted.dropFirst().dropLast()
        if !inner.contains(UInt8(ascii: "\\")) { return String(decoding: inner, as: UTF8.self) }
        return try? JSONDecoder().decode(String.self, from: Data(quoted))
    }
}
