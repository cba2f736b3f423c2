import ArgumentParser
import Common
import FoundationEssentials
import Glibc

/// --hosts: the hosts that answered the probe kept (`HostReview.probe`), the others left out with a warning
/// saying why; none left ends the run before any upload (exit 2).
struct Probed: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Keep the hosts that can run a batch (after the probe).")

    @OptionGroup var work: WorkOption

    func run() throws {
        var state = try work.state()
        let log = RunStep.log(state)
        let folder = state.work
        let text = { (name: String) in WorkFile.text("\(folder)/\(name)") }
        let entries = text("sshlogins").split(separator: "\n").map(String.init)
        let limit = HostDispatch(hosts: entries.count, connectTimeout: state.options.requestSettings.connectTimeout, work: folder).probeSeconds
        let (kept, left) = HostReview.probe(entries: entries, output: text("probe.out") + text("probe.err"), joblog: text("probe.joblog"), limit: limit)
        for (login, why) in left { log.say("\(RunStep.name): warning: host \(login) is left out: \(why)") }
        guard !kept.isEmpty else { throw RunStep.die(state, "no host can run the upload (see the warnings above); nothing was uploaded") }
        try? WorkFile.replace("\(folder)/sshlogins", with: Data((kept.joined(separator: "\n") + "\n").utf8))
        state.workers = kept.reduce(0) { $0 + (Int($1.prefix { $0 != "/" }) ?? 0) }
        try RunStep.save(state)
        let names = kept.map { entry -> String in
            let count = Int(entry.prefix { $0 != "/" }) ?? 0
            let login = entry.drop { $0 != "/" }.dropFirst()
            return "\(login == ":" ? "this machine" : String(login)) (\(RunUnits.counted(count, "worker")))"
        }
        log.say("hosts: \(names.joined(separator: ", "))")
    }
}
