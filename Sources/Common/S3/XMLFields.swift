import FoundationEssentials

/// Collects the text of chosen elements from a small XML document, in document order.
///
/// S3 answers are flat (a root, `<Contents>` groups, text-only leaves), so a byte scanner is all the
/// parsing they need: no FoundationXML, whose libxml2 costs every process start and whose callbacks were
/// most of the CPU of listing 10,000 objects. Entities (`&amp;`, `&#233;`, ...) and CDATA are decoded.
struct XMLFields {
    private(set) var values: [String: [String]] = [:]
    /// Element names in order, so callers can group repeated records (`<Contents>`): a collected element
    /// with its text, any other start tag with "".
    private(set) var events: [(name: String, value: String)] = []

    static func collect(_ xml: Data, names: Set<String>) -> [String: [String]] {
        parse(xml, names: names).values
    }

    static func parse(_ xml: Data, names: Set<String>) -> XMLFields {
        var fields = XMLFields()
        let bytes = [UInt8](xml)
        var index = 0
        var current: String?
        var text: [UInt8] = []
        while index < bytes.count {
            guard bytes[index] == UInt8(ascii: "<") else {
                // Text: kept only inside a collected element.
                let end = bytes[index...].firstIndex(of: UInt8(ascii: "<")) ?? bytes.count
                if current != nil { text += bytes[index..<end] }
                index = end
                continue
            }
            if bytes[index...].starts(with: "<![CDATA[".utf8) {
                let start = index + 9
                let end = find("]]>", in: bytes, from: start) ?? bytes.count
                if current != nil { text += bytes[start..<end] }
                index = end + 3
                continue
            }
            let close = bytes[index...].firstIndex(of: UInt8(ascii: ">")) ?? bytes.count
            let tag = bytes[(index + 1)..<close]
            index = close + 1
            guard let first = tag.first, first != UInt8(ascii: "?"), first != UInt8(ascii: "!") else { continue }
            let isEnd = first == UInt8(ascii: "/")
            let nameBytes = tag.dropFirst(isEnd ? 1 : 0).prefix { !isSpace($0) && $0 != UInt8(ascii: "/") }
            let name = String(decoding: nameBytes, as: UTF8.self)
            let selfClosing = tag.last == UInt8(ascii: "/")
            if isEnd {
                if name == current, let open = current {
                    let value = decodeEntities(text)
                    fields.values[open, default: []].append(value)
                    fields.events.append((name: open, value: value))
                    current = nil
                }
            } else if names.contains(name) {
                if selfClosing {
                    fields.values[name, default: []].append("")
                    fields.events.append((name: name, value: ""))
                } else {
                    current = name
                    text = []
                }
            } else if current == nil {
                fields.events.append((name: name, value: ""))
            }
        }
        return fields
    }

    private static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D }

    private static func find(_ needle: String, in bytes: [UInt8], from start: Int) -> Int? {
        let pattern = Array(needle.utf8)
        guard bytes.count >= pattern.count, start <= bytes.count - pattern.count else { return nil }
        for position in start...(bytes.count - pattern.count) where bytes[position..<(position + pattern.count)].elementsEqual(pattern) {
            return position
        }
        return nil
    }

    /// Text with its five named entities and numeric character references replaced.
    static func decodeEntities(_ text: [UInt8]) -> String {
        guard text.contains(UInt8(ascii: "&")) else { return String(decoding: text, as: UTF8.self) }
        var out: [UInt8] = []
        out.reserveCapacity(text.count)
        var index = 0
        while index < text.count {
            guard text[index] == UInt8(ascii: "&"), let semicolon = text[index...].prefix(12).firstIndex(of: UInt8(ascii: ";")) else {
                out.append(text[index])
                index += 1
                continue
            }
            let entity = String(decoding: text[(index + 1)..<semicolon], as: UTF8.self)
            var replacement: String?
            switch entity {
            case "amp": replacement = "&"
            case "lt": replacement = "<"
            case "gt": replacement = ">"
            case "quot": replacement = "\""
            case "apos": replacement = "'"
            default:
                let code = entity.hasPrefix("#x") ? UInt32(entity.dropFirst(2), radix: 16)
                    : entity.hasPrefix("#") ? UInt32(entity.dropFirst(), radix: 10) : nil
                replacement = code.flatMap(Unicode.Scalar.init).map { String(Character($0)) }
            }
            if let replacement {
                out += Array(replacement.utf8)
                index = semicolon + 1
            } else {
                out.append(text[index])
                index += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
