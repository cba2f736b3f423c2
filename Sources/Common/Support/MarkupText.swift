/// Text for XML and HTML: the characters markup gives meaning to replaced by entities. Element content needs
/// `&`, `<` and `>`; a quoted attribute value also its quotes (`quotes: true`).
public enum MarkupText {
    public static func escaped(_ text: String, quotes: Bool = false) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"" where quotes: out += "&quot;"
            case "'" where quotes: out += "&#39;"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
