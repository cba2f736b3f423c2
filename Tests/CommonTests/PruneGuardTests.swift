import Common
import TestSupport
import Testing

@Suite(.unitTimeLimit) struct PruneGuardTests {
    @Test func anEmptyScanNeverPrunesWhateverTheLimit() {
        for limit in [nil, 0, 100, 9_999_999] as [Int?] {
            let refusal = PruneGuard(maxDelete: limit).refusal(removing: 4, present: 4, scannedImages: 0)
            #expect(refusal?.hasPrefix("the scan found no image, and would prune 4 objects") == true, "\(String(describing: limit))")
        }
        #expect(PruneGuard().refusal(removing: 0, present: 10, scannedImages: 0) == nil, "nothing to delete is no prune")
    }

    @Test func withoutMaxDeleteAtMostAHundredAndAtMostHalf() {
        let guardian = PruneGuard()
        #expect(guardian.refusal(removing: 4, present: 8, scannedImages: 2) == nil, "exactly half goes")
        #expect(guardian.refusal(removing: 3, present: 4, scannedImages: 1)?.contains("3 objects of the 4 in the bucket's folders, more than half") == true)
        #expect(guardian.refusal(removing: 1, present: 1, scannedImages: 5)?.contains("more than half") == true)
        #expect(guardian.refusal(removing: 100, present: 1_000, scannedImages: 450) == nil)
        #expect(guardian.refusal(removing: 101, present: 1_000, scannedImages: 450)?.contains("more than 100 (the limit without --max-delete)") == true)
    }

    @Test func aGivenMaxDeleteReplacesBothLimits() {
        #expect(PruneGuard(maxDelete: 3).refusal(removing: 3, present: 4, scannedImages: 1) == nil)
        #expect(PruneGuard(maxDelete: 500).refusal(removing: 500, present: 600, scannedImages: 50) == nil)
        #expect(PruneGuard(maxDelete: 2).refusal(removing: 3, present: 100, scannedImages: 90) == "it would delete 3 objects, more than --max-delete 2")
        #expect(PruneGuard(maxDelete: 0).refusal(removing: 1, present: 100, scannedImages: 99) == "it would delete 1 object, more than --max-delete 0")
    }
}
