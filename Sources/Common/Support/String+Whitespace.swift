extension StringProtocol {
    /// Without leading and trailing whitespace (tabs and Unicode's space separators), as Foundation's
    /// `trimmingCharacters(in: .whitespaces)`, which FoundationEssentials, used instead of Foundation, lacks.
    package func trimmingWhitespace() -> String {
        let isWhitespace = { (scalar: Unicode.Scalar) in scalar == "\t" || scalar.properties.generalCategory == .spaceSeparator }
        let scalars = String(self).unicodeScalars
        guard let first = scalars.firstIndex(where: { !isWhitespace($0) }),
              let last = scalars.lastIndex(where: { !isWhitespace($0) }) else { return "" }
        return String(Substring(scalars[first...last]))
    }
}
