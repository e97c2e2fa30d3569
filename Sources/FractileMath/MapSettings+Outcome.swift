extension MapSettings {
    /// The fate of pixel p: the hot path, with no heap allocation and no orbit recording.
    public func outcome(at p: Complex) -> PixelOutcome {
        switch self {
        case .forwardPass(let s): s.outcome(at: p)
        case .gradientBasin(let s): s.outcome(at: p)
        case .backpropFlow(let s): s.outcome(at: p)
        }
    }

    /// The colour of pixel p; a pure function of p and the settings, so tiles meet seamlessly.
    public func color(at p: Complex) -> RGB {
        MapColoring.color(of: outcome(at: p), for: self)
    }

    /// Everything about pixel p, orbit included (MAPS.md probe). Runs the same loop as `outcome(at:)`, so the
    /// two always agree.
    public func probe(at p: Complex) -> ProbeResult {
        var recorder = OrbitRecorder()
        switch self {
        case .forwardPass(let s):
            let outcome = s.run(at: p, observer: &recorder)
            return ProbeResult(kind: kind, outcome: outcome, orbit: recorder.orbit)
        case .gradientBasin(let s):
            let outcome = s.run(at: p, observer: &recorder)
            return ProbeResult(
                kind: kind, outcome: outcome, orbit: recorder.orbit, lossCurve: recorder.orbit.map { s.loss(at: $0) })
        case .backpropFlow(let s):
            let outcome = s.run(at: p, observer: &recorder)
            return ProbeResult(kind: kind, outcome: outcome, orbit: recorder.orbit)
        }
    }

    /// One entry per regime this kind of map can show.
    public var legend: [LegendEntry] {
        kind.regimes.map { regime in
            LegendEntry(regime: regime, color: MapColoring.representative(of: regime, for: self), meaning: regime.meaning)
        }
    }

    /// The legend as plain text, one line per regime, for TileJSON "legend".
    public var legendText: String {
        legend.map { "\($0.regime.rawValue) (\($0.color.hex)): \($0.meaning)" }.joined(separator: "\n")
    }
}
