import FoundationEssentials

/// A listing of one prefix on a thread and a connection of its own, which can be waited for or stopped.
final class EarlyListing: @unchecked Sendable {
    let prefix: String
    private let condition = Condition()
    private var result: Result<[ListPage], S3Error>?
    private var pages: [ListPage] = []
    private var cancelled = false
    private var requestCount = 0
    private(set) var isTaken = false

    init(config: SpacesConfig, retryPolicy: RetryPolicy, http: CurlHandle.Options, prefix: String, pageSize: Int) {
        self.prefix = prefix
        Threads.start { [self] in run(config: config, retryPolicy: retryPolicy, http: http, pageSize: pageSize) }
    }

    var requests: Int { condition.withLock { requestCount } }

    private func run(config: SpacesConfig, retryPolicy: RetryPolicy, http: CurlHandle.Options, pageSize: Int) {
        let outcome: Result<[ListPage], S3Error>
        do throws(S3Error) {
            let client = try S3Client(config: config, retryPolicy: retryPolicy, http: http)
            if condition.withLock({ cancelled }) { return }
            let listed = try client.listAllPages(prefix: prefix, pageSize: pageSize) { page in
                condition.withLock {
                    pages.append(page)
                    requestCount = client.requestCount
                    condition.broadcast()
                    return !cancelled
                }
            }
            if condition.withLock({ cancelled }) { return }
            outcome = .success(listed)
        } catch {
            outcome = .failure(error)
        }
        condition.withLock {
            result = outcome
            condition.broadcast()
        }
    }

    /// Every page of the prefix, once the listing has ended.
    func wait() -> Result<[ListPage], S3Error> {
        condition.withLock {
            while result == nil { condition.wait() }
            return result!
        }
    }

    /// Marks it used by one decision.
    func take() { isTaken = true }

    /// The result, if the listing has ended.
    var finished: Result<[ListPage], S3Error>? { condition.withLock { result } }

    /// Stops the listing and returns the pages it has so far, with the last key they cover (nil: none yet).
    /// A page still in flight is not waited for.
    func stopAndTakePages() -> (pages: [ListPage], coveredTo: String?) {
        condition.withLock {
            cancelled = true
            // A last key that may have come back altered is no place to go on from: start over instead.
            guard let last = pages.last?.objects.last?.key, pages.allSatisfy(\.keysWereURLEncoded) || ListPage.survivesXML(last) else {
                return ([], nil)
            }
            return (pages, last)
        }
    }

    /// The first page when it held the whole folder; nil when there is more (or it failed).
    func firstPage() -> ListPage? {
        condition.withLock {
            while pages.isEmpty && result == nil { condition.wait() }
            guard let first = pages.first, !first.isTruncated else { return nil }
            return first
        }
    }

    func cancel() { condition.withLock { cancelled = true } }
}
