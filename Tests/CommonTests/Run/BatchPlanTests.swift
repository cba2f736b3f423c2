@testable import Common
import Foundation
import TestSupport
import Testing

/// How the images to upload are cut into batches, and how many workers run them.
@Suite(.unitTimeLimit) struct BatchPlanTests {
    @Test func batchesAreAQuarterOfAnEqualShareAtMost() {
        #expect(BatchPlan(pending: 500, workers: 10, batchSize: 100, hosts: false) == BatchPlan(batchSize: 13, batches: 39, lanes: 10))
        #expect(BatchPlan(pending: 10_000, workers: 4, batchSize: 100, hosts: false).batchSize == 100)
        #expect(BatchPlan(pending: 3, workers: 10, batchSize: 100, hosts: false) == BatchPlan(batchSize: 1, batches: 3, lanes: 3))
        #expect(BatchPlan(pending: 0, workers: 2, batchSize: 100, hosts: false).lanes == 0)
    }

    @Test func withHostsABatchIsAnEqualShareAtMost() {
        #expect(BatchPlan(pending: 500, workers: 10, batchSize: 100, hosts: true).batchSize == 50)
    }

    @Test func theBatchFilesHoldEveryLineInOrder() throws {
        let folder = try TemporaryDirectory()
        let pending = try folder.write("pending.jsonl", Data((1...7).map { "{\"n\":\($0)}\n" }.joined().utf8))
        try FileManager.default.createDirectory(atPath: folder.path + "/batches", withIntermediateDirectories: false)
        let plan = BatchPlan(pending: 7, workers: 1, batchSize: 3, hosts: true)
        try plan.write(from: pending, into: folder.path + "/batches")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path + "/batches").sorted()
        #expect(names == ["batch.000000", "batch.000001", "batch.000002"])
        let text = try names.map { try String(contentsOfFile: folder.path + "/batches/" + $0, encoding: .utf8) }.joined()
        #expect(text == (1...7).map { "{\"n\":\($0)}\n" }.joined())
    }
}

extension BatchPlan {
    init(batchSize: Int, batches: Int, lanes: Int) {
        self.init(pending: 0, workers: 1, batchSize: 1, hosts: false)
        self.batchSize = batchSize
        self.batches = batches
        self.lanes = lanes
    }
}
