@testable import Common
import Testing

/// After an upload with --hosts: where each batch ran, its tries, and why a last try that ended without its end
/// line failed; and which hosts the probe kept.
@Suite(.unitTimeLimit) struct HostReviewTests {
    let header = "Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\tExitval\tSignal\tCommand\n"

    @Test func reviewsEachBatchsLastTry() {
        let joblog = header + "1\th1\t0\t     1.500\t0\t0\t0\t0\tbash\n2\th2\t0\t0.2\t0\t0\t255\t0\tbash\n3\t:\t0\t0.1\t0\t0\t97\t0\tbash\n"
        let tries = "1\th2\t255\tConnection refused\n1\th1\t0\t\n2\th2\t255\t\n"
        let review = HostReview.review(tries: tries, ended: ["batch.000000"], joblog: joblog)
        #expect(review.messages == [
            "batch.000000 took 1.500 s on h1",
            "batch.000000: 2 tries: h2 failed (exit 255: Connection refused); h1 ok",
            "batch.000001 took 0.200 s on h2",
            "batch.000001 on h2: the ssh connection failed or was lost (ssh exit 255)",
        ])
        #expect(review.died.map(\.batch) == ["batch.000001"])
    }

    @Test func theProbeKeepsTheHostsThatAnswered() {
        let output = "h1\tok\nh2\tbash: img-thumb: not found\r\n"
        let joblog = header + "1\th3\t1796607281.787\t    20.100\t0\t0\t-1\t15\tbash\n"
        let (kept, left) = HostReview.probe(entries: ["2/h1", "1/h2", "1/h3", "1/h4"], output: output, joblog: joblog, limit: 20)
        #expect(kept == ["2/h1"])
        #expect(left.map(\.login) == ["h2", "h3", "h4"])
        #expect(left.map(\.why) == ["bash: img-thumb: not found",
                                    "its login did not answer within 20 s (--connect-timeout to connect, as long again to log in)",
                                    "it did not answer"])
    }
}
