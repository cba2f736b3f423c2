import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// Collects the text of chosen elements from a small XML document, in document order.
/// S3 answers are flat enough that this is all the parsing they need.
final class XMLFields: NSObject, XMLParserDelegate {
    private let names: Set<String>
    private var current: String?
    private var text = ""
    private(set) var values: [String: [String]] = [:]
    /// Element names in order, so callers can group repeated records (`<Contents>`).
    private(set) var events: [(name: String, value: String)] = []

    private init(names: Set<String>) { self.names = names }

    static func collect(_ xml: Data, names: Set<String>) -> [String: [String]] {
        parse(xml, names: names).values
    }

    static func parse(_ xml: Data, names: Set<String>) -> XMLFields {
        let collector = XMLFields(names: names)
        let parser = XMLParser(data: xml)
        parser.delegate = collector
        _ = parser.parse()
        return collector
    }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?,
                qualifiedName: String?, attributes: [String: String] = [:]) {
        if names.contains(name) {
            current = name
            text = ""
        } else if current == nil {
            events.append((name: name, value: ""))
        }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if current != nil { text += string }
    }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        guard name == current else { return }
        values[name, default: []].append(text)
        events.append((name: name, value: text))
        current = nil
    }
}
