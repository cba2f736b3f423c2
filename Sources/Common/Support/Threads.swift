import Glibc

// Foundation's NSLock, NSCondition and Thread over pthreads: FoundationEssentials, which the commands use
// instead of Foundation (whose ICU data would add ~25 MB to each static binary), has none of them.

/// A mutex, as NSLock.
package class Lock: @unchecked Sendable {
    fileprivate let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)

    package init() { pthread_mutex_init(mutex, nil) }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    package func lock() { pthread_mutex_lock(mutex) }
    package func unlock() { pthread_mutex_unlock(mutex) }

    package func withLock<T>(_ body: () throws -> T) rethrows -> T {
        lock()
        defer { unlock() }
        return try body()
    }
}

/// A mutex with a condition to wait for, as NSCondition: `wait()` only while holding the lock.
package final class Condition: Lock, @unchecked Sendable {
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    package override init() {
        pthread_cond_init(condition, nil)
        super.init()
    }

    deinit {
        pthread_cond_destroy(condition)
        condition.deallocate()
    }

    package func wait() { pthread_cond_wait(condition, mutex) }
    package func broadcast() { pthread_cond_broadcast(condition) }
}

/// Threads of the process's own, as Foundation's `Thread { ... }.start()`: for blocking work (a request)
/// that must not wait for a free thread of Dispatch's pool, which is as small as the number of cores.
package enum Threads {
    private final class Work {
        let body: () -> Void
        init(_ body: @escaping () -> Void) { self.body = body }
    }

    /// Runs `body` on a new detached thread.
    package static func start(_ body: @escaping @Sendable () -> Void) {
        let work = Unmanaged.passRetained(Work(body)).toOpaque()
        var thread = pthread_t()
        let status = pthread_create(&thread, nil, { argument in
            Unmanaged<Work>.fromOpaque(argument!).takeRetainedValue().body()
            return nil
        }, work)
        // As Foundation's Thread does: without a thread the work cannot be done at all.
        precondition(status == 0, "cannot start a thread: \(String(cString: strerror(status)))")
        pthread_detach(thread)
    }
}

/// A value behind a lock, for counts that threads add to.
package final class Guarded<Value>: @unchecked Sendable {
    private let lock = Lock()
    private var value: Value

    package init(_ value: Value) { self.value = value }

    package func withLock<T>(_ body: (inout Value) -> T) -> T { lock.withLock { body(&value) } }
}

/// A reference handed to other threads that touch only what is safe to share of it (the existence checker, whose
/// listings run on threads of their own while the stage decides and reads on: they use its guarded counters and
/// connections, and settings nothing changes once the check has begun).
struct Unchecked<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
