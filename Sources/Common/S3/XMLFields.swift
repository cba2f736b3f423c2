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
        let wanted = Array(names)
        scan(xml, names: wanted) { element in
            switch element {
            case .collected(let index, let value):
                fields.values[wanted[index], default: []].append(value)
                fields.events.append((name: wanted[index], value: value))
            case .tag(let name):
                fields.events.append((name: String(decoding: name, as: UTF8.self), value: ""))
            }
        }
        return fields
    }

    /// What `scan` finds, in document order.
    enum Element {
        /// A collected element (its index in `names`) with its text, entities decoded.
        case collected(Int, String)
        /// The name of a start tag outside collected elements, valid only during the call.
        case tag(UnsafeBufferPointer<UInt8>)
    }

    /// Each element named in `names` with its text, and each other start tag outside them, to `visit`. Names are
    /// matched by bytes and no other tag's name is made a `String`: a listing of 1,000 keys has ten tags a key.
    static func scan(_ xml: Data, names: [String], visit: (Element) -> Void) {
        let wanted = names.map { Array($0.utf8) }
        xml.withUnsafeBytes { raw in
            let bytes = raw.bindMemory(to: UInt8.self)
            var index = 0
            var current: Int?
            var text: [UInt8] = []
            while index < bytes.count {
                guard bytes[index] == UInt8(ascii: "<") else {
                    // Text: kept only inside a collected element.
                    let end = bytes[index...].firstIndex(of: UInt8(ascii: "<")) ?? bytes.count
                    if current != nil { text += bytes[index..<end] }
                    index = end
                    continue
                }
                if index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "!"), bytes[index...].starts(with: "<![CDATA[".utf8) {
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
                let nameBytes = UnsafeBufferPointer(rebasing: tag.dropFirst(isEnd ? 1 : 0).prefix { !isSpace($0) && $0 != UInt8(ascii: "/") })
                let selfClosing = tag.last == UInt8(ascii: "/")
                if isEnd {
                    if let open = current, wanted[open].elementsEqual(nameBytes) {
                        visit(.collected(open, decodeEntities(text)))
                        current = nil
                    }
                } else if let named = wanted.firstIndex(where: { $0.count == nameBytes.count && $0.elementsEqual(nameBytes) }) {
                    if selfClosing {
                        visit(.collected(named, ""))
                    } else {
                        current = named
                        text.removeAll(keepingCapacity: true)
                    }
                } else if current == nil {
                    visit(.tag(nameBytes))
                }
            }
        }
    }

    private static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D }

    private static func find(_ needle: String, in bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
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
            let replacement = character(named: text[(index + 1)..<semicolon])
            if let replacement {
                UTF8.encode(replacement) { out.append($0) }
                index = semicolon + 1
            } else {
                out.append(text[index])
                index += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The character an entity (between `&` and `;`) stands for: one of the five named ones, or a numeric
    /// character reference; nil for anything else.
    private static func character(named entity: ArraySlice<UInt8>) -> Unicode.Scalar? {
        // `&#34;` (a quote, around every ETag SeaweedFS lists) read from its digits, without making a String.
        if entity.count > 1, entity.first == UInt8(ascii: "#"), entity.dropFirst().allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) {
            var code: UInt32 = 0
            for digit in entity.dropFirst() {
                let (times, overflow) = code.multipliedReportingOverflow(by: 10)
                guard !overflow, case let (sum, false) = times.addingReportingOverflow(UInt32(digit - UInt8(ascii: "0"))) else { return nil }
                code = sum
            }
            return Unicode.Scalar(code)
        }
        let name = String(decoding: entity, as: UTF8.self)
        switch name {
        case "amp": return "&"
        case "lt": return "<"
        case "gt": return ">"
        case "quot": return "\""
        case "apos": return "'"
        default:
            let code = name.hasPrefix("#x") ? UInt32(name.dropFirst(2), radix: 16)
                : name.hasPrefix("#") ? UInt32(name.dropFirst(), radix: 10) : nil
            return code.flatMap(Unicode.Scalar.init)
        }
    }
}
