import FractileCache
import Synchronization

/// Recent probe answers: a probe is a pure function of the map's settings and the point's text, and takes up to
/// ~20 ms of fixed-point arithmetic, so a viewer clicking the same point again (or many viewers sharing one deep
/// link) is answered from here. Bounded in bytes, least recently used out.
final class ProbeCache: Sendable {
    struct Key: Hashable, Sendable {
        let settingsHash: String
        let re: String
        let im: String
    }

    private let capacityBytes: Int
    private let entries = Mutex(LRUList<Key, [UInt8]>())

    init(capacityBytes: Int) {
        self.capacityBytes = capacityBytes
    }

    func get(_ key: Key) -> [UInt8]? {
        entries.withLock { $0.touch(key) }
    }

    func put(_ key: Key, _ body: [UInt8]) {
        guard body.count <= capacityBytes else { return }
        entries.withLock { entries in
            entries.insertAsNewest(key, body, size: body.count)
            while entries.totalSize > capacityBytes, entries.removeOldest() != nil {}
        }
    }
}
