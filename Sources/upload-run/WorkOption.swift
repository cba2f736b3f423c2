import ArgumentParser
import Common

/// What the steps share: the run's state in its work folder, and its messages.
struct WorkOption: ParsableArguments {
    @Option(help: ArgumentHelp("The run's work folder.", valueName: "folder"))
    var work: String

    /// The state `start` saved; a missing or damaged one ends the step (exit 2).
    func state() throws -> RunState {
        Console.commandName = RunStep.name
        Console.ignoreSIGPIPE()
        do {
            return try RunState.load(from: work)
        } catch {
            Console.error("the run's state in \(work) cannot be read: \(error)")
            throw ExitCode(Toolkit.Exit.fatal)
        }
    }
}
