import Foundation
import Testing
@testable import Common
import TestSupport

@Suite(.unitTimeLimit) struct LineWriterTests {
    /// Many lines go out in whole-line writes of at most PIPE_BUF bytes (a longer line alone), in order. A
    /// SOCK_SEQPACKET socket keeps each write(2) as one message, so the writes themselves can be seen.
    @Test func groupsWholeLinesIntoWritesAPipeDeliversWhole() throws {
        var sockets: [Int32] = [0, 0]
        #expect(socketpair(AF_UNIX, Int32(SOCK_SEQPACKET.rawValue), 0, &sockets) == 0)
        let (reading, writing) = (sockets[0], sockets[1])
        defer { close(reading) }
        let lines = (0..<2000).map { Data(String(repeating: "x", count: $0 % 700).utf8) }
            + [Data(String(repeating: "long", count: 3000).utf8), Data("last".utf8)]
        let writer = Thread {
            try? LineWriter.writeLines(lines, fd: writing)
            close(writing)
        }
        writer.start()
        var messages: [Data] = []
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let got = buffer.withUnsafeMutableBytes { recv(reading, $0.baseAddress, $0.count, 0) }
            if got <= 0 { break }
            messages.append(Data(buffer[0..<got]))
        }
        #expect(messages.reduce(Data(), +) == lines.reduce(Data()) { $0 + $1 + [10] })
        #expect(messages.allSatisfy { $0.last == 10 }, "every write ends with a whole line")
        #expect(messages.filter { $0.count > Int(PIPE_BUF) }.count == 1, "only the 12,000-byte line goes over PIPE_BUF")
        #expect(messages.count < 400, "lines are grouped: \(messages.count) writes for 2,002 lines")
    }
}
