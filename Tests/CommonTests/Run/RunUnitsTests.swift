@testable import Common
import Testing

/// Sizes, rates and counts as the run's messages give them.
@Suite(.unitTimeLimit) struct RunUnitsTests {
    @Test func sizesAsPeopleReadThem() {
        #expect(RunUnits.bytes(0) == "0 bytes")
        #expect(RunUnits.bytes(1023) == "1023 bytes")
        #expect(RunUnits.bytes(606_208) == "592 KiB")
        #expect(RunUnits.bytes(185_283_379) == "176.7 MiB")
        #expect(RunUnits.bytes(1_288_490_189) == "1.2 GiB")
        #expect(RunUnits.megabytesPerSecond(12_345_678, seconds: 1) == "12.3")
        #expect(RunUnits.megabytesPerSecond(5, seconds: 0) == "0.0")
        #expect(RunUnits.counted(1, "object") == "1 object" && RunUnits.counted(2, "object") == "2 objects")
    }
}
