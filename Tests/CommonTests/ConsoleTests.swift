@testable import Common
import TestSupport
import Testing

@Suite(.unitTimeLimit) struct ConsoleTests {
    /// A file name is shown on one line, and a control character in it cannot drive the terminal.
    @Test func controlCharactersInMessagesAreShownEscaped() {
        #expect(Console.escapingControls("photos/a.jpg: permission denied") == "photos/a.jpg: permission denied")
        #expect(Console.escapingControls("line\nbreak.jpg") == "line\\nbreak.jpg")
        #expect(Console.escapingControls("evil\u{1B}[2J\u{1}\u{7F}.jpg\ttab") == "evil\\x1B[2J\\x01\\x7F.jpg\ttab")
        #expect(Console.escapingControls("caf\u{e9} \u{FFFE}") == "caf\u{e9} \u{FFFE}")
    }
}
