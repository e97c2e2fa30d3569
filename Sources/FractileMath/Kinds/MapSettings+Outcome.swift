extension MapSettings {
    /// The fate of pixel p: the hot path, with no heap allocation and no orbit recording.
    public func outcome(at p: Complex) -> PixelOutcome { base.outcome(at: p) }

    /// The colour of pixel p; a pure function of p and the settings, so tiles meet seamlessly.
    public func color(at p: Complex) -> RGB { base.color(of: base.outcome(at: p)) }

    /// The colour of a pixel with this outcome.
    public func color(of outcome: PixelOutcome) -> RGB { base.color(of: outcome) }

    /// Writes the colours of `outcomes` as RGB bytes from `output` on.
    public func writeColors(of outcomes: UnsafeMutableBufferPointer<PixelOutcome>, to output: UnsafeMutablePointer<UInt8>) {
        base.writeColors(of: outcomes, to: output)
    }

    /// Everything about pixel p (docs/maps.md probe). Runs the same loop as `outcome(at:)`, so the two always agree.
    public func probe(at p: Complex) -> ProbeResult { base.probe(at: p) }

    /// The outcomes of many pixels at once through the lane kernels: what tiles use. Regimes agree with
    /// `outcome(at:)` (the exact reference that `probe(at:)` reports) except within the numerical margins that
    /// `FastKernelAgreementTests` states; the continuous quantities agree to a few ulps per step.
    /// No allocation per pixel.
    public func fastOutcomes(_ points: UnsafeBufferPointer<Complex>, into outcomes: UnsafeMutableBufferPointer<PixelOutcome>) {
        guard maxIterations > 0 else {
            // No steps: nothing to vectorise, and the lanes always take at least one.
            for (index, p) in points.enumerated() { outcomes[index] = outcome(at: p) }
            return
        }
        base.fastOutcomes(points, into: outcomes)
    }

    /// Whether deep tiles of this kind compute by perturbation (else double at every depth).
    public var hasPerturbation: Bool { type(of: base).hasPerturbation }

    /// One entry per regime this kind of map can show.
    public var legend: [LegendEntry] {
        type(of: base).legendMeanings.map { regime, meaning in
            LegendEntry(regime: regime, color: base.color(of: base.representativeOutcome(of: regime)), meaning: meaning)
        }
    }

    /// The legend as plain text, one line per regime, for TileJSON "legend".
    public var legendText: String {
        legend.map { "\($0.regime.rawValue) (\($0.color.hex)): \($0.meaning)" }.joined(separator: "\n")
    }
}
