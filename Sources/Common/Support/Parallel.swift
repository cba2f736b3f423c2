import Dispatch

/// Runs blocking work (network requests) on threads of its own, one per item, and returns the results in order.
enum Parallel {
    static func map<T: Sendable>(_ items: Range<Int>, _ work: @escaping @Sendable (Int) -> T) -> [T] {
        let box = ResultsBox<T>(count: items.count)
        let group = DispatchGroup()
        for index in items {
            group.enter()
            Threads.start {
                box.set(index - items.lowerBound, work(index))
                group.leave()
            }
        }
        group.wait()
        return box.values
    }

    private final class ResultsBox<T>: @unchecked Sendable {
        private let lock = Lock()
        private var slots: [T?]
        init(count: Int) { slots = Array(repeating: nil, count: count) }
        func set(_ index: Int, _ value: T) { lock.withLock { slots[index] = value } }
        var values: [T] { lock.withLock { slots.map { $0! } } }
    }
}
