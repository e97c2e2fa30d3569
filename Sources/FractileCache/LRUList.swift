/// A byte-sized LRU index: a dictionary from key to node slot plus an intrusive doubly-linked list
/// kept in one array of nodes linked by `Int` slots. Lookup, touch, insert and removal of the least
/// recently used entry are O(1); freed slots are reused, so steady-state operations do not allocate nodes.
///
/// Not thread-safe: the caches (and the server's probe cache) wrap it in a `Mutex`.
public struct LRUList<Key: Hashable, Value> {
    private struct Node {
        var key: Key?
        var value: Value?
        var size: Int
        var newer: Int
        var older: Int
    }

    private static var none: Int { -1 }

    private var nodes: [Node] = []
    private var slots: [Key: Int] = [:]
    private var freeSlots: [Int] = []
    /// Most recently used.
    private var newest = LRUList.none
    /// Least recently used: the next to evict.
    private var oldest = LRUList.none

    /// Sum of the entries' sizes.
    public private(set) var totalSize = 0

    public init() {}

    public var count: Int { slots.count }

    func contains(_ key: Key) -> Bool { slots[key] != nil }

    /// Returns the value and marks it most recently used.
    public mutating func touch(_ key: Key) -> Value? {
        guard let slot = slots[key] else { return nil }
        unlink(slot)
        linkAsNewest(slot)
        return nodes[slot].value
    }

    /// Inserts or replaces `key` as the most recently used entry; returns the replaced value, if any.
    @discardableResult
    public mutating func insertAsNewest(_ key: Key, _ value: Value, size: Int) -> Value? {
        let replaced = remove(key)?.value
        let slot = allocate(key, value, size: size)
        linkAsNewest(slot)
        return replaced
    }

    /// Inserts `key` as the least recently used entry unless it is already present
    /// (used for entries found on disk at startup, which are older than anything touched since).
    /// Returns whether it was inserted.
    @discardableResult
    mutating func insertAsOldestIfAbsent(_ key: Key, _ value: Value, size: Int) -> Bool {
        guard slots[key] == nil else { return false }
        let slot = allocate(key, value, size: size)
        linkAsOldest(slot)
        return true
    }

    /// Removes `key`; returns its value and size.
    @discardableResult
    mutating func remove(_ key: Key) -> (value: Value, size: Int)? {
        guard let slot = slots[key] else { return nil }
        return release(slot)
    }

    /// Removes and returns the least recently used entry.
    public mutating func removeOldest() -> (key: Key, value: Value, size: Int)? {
        guard oldest != Self.none, let key = nodes[oldest].key,
              let (value, size) = release(oldest) else { return nil }
        return (key, value, size)
    }

    /// Keys from most to least recently used (for tests and diagnostics; O(n)).
    var keysFromNewest: [Key] {
        var keys: [Key] = []
        var slot = newest
        while slot != Self.none {
            if let key = nodes[slot].key { keys.append(key) }
            slot = nodes[slot].older
        }
        return keys
    }

    private mutating func allocate(_ key: Key, _ value: Value, size: Int) -> Int {
        let node = Node(key: key, value: value, size: size, newer: Self.none, older: Self.none)
        let slot: Int
        if let reused = freeSlots.popLast() {
            slot = reused
            nodes[slot] = node
        } else {
            slot = nodes.count
            nodes.append(node)
        }
        slots[key] = slot
        totalSize += size
        return slot
    }

    /// Unlinks and frees a slot; nil only for a slot that is already free (never the case for a linked slot).
    private mutating func release(_ slot: Int) -> (value: Value, size: Int)? {
        unlink(slot)
        let node = nodes[slot]
        if let key = node.key { slots[key] = nil }
        // Drop the key and value now so a freed slot holds no tile bytes.
        nodes[slot].key = nil
        nodes[slot].value = nil
        freeSlots.append(slot)
        totalSize -= node.size
        guard let value = node.value else { return nil }
        return (value, node.size)
    }

    private mutating func unlink(_ slot: Int) {
        let newer = nodes[slot].newer
        let older = nodes[slot].older
        if newer != Self.none { nodes[newer].older = older } else { newest = older }
        if older != Self.none { nodes[older].newer = newer } else { oldest = newer }
        nodes[slot].newer = Self.none
        nodes[slot].older = Self.none
    }

    private mutating func linkAsNewest(_ slot: Int) {
        nodes[slot].older = newest
        nodes[slot].newer = Self.none
        if newest != Self.none { nodes[newest].newer = slot } else { oldest = slot }
        newest = slot
    }

    private mutating func linkAsOldest(_ slot: Int) {
        nodes[slot].newer = oldest
        nodes[slot].older = Self.none
        if oldest != Self.none { nodes[oldest].older = slot } else { newest = slot }
        oldest = slot
    }
}
