import ArgumentParser
import Common
import FoundationEssentials
import Glibc

/// --hosts, after the upload: the review of parallel's joblog (`HostReview.review`). Log lines on stdout.
struct Joblog: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Review where and how each batch ran.")

    @OptionGroup var work: WorkOption

    func run() throws {
        let state = try work.state()
        let folder = state.work
        let text = { (name: String) in WorkFile.text("\(folder)/\(name)") }
        guard WorkFile.exists("\(folder)/joblog") else { return }
        let ended = Set(text("ended").split(separator: "\n").map(String.init))
        let review = HostReview.review(tries: text("tries"), ended: ended, joblog: text("joblog"))
        for (batch, reason) in review.died { try? WorkFile.replace("\(folder)/died/\(batch)", with: Data("\(reason)\n".utf8)) }
        for message in review.messages { Collect.line(message) }
    }
}
