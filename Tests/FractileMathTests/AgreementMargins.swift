import FractileMath

/// When two arithmetics may disagree on a pixel's regime (see FastKernelAgreementTests for the why).
enum AgreementMargins {
    /// True where moving the start by 1 to 8 ulps (re or im, either way) changes the reference's own regime.
    static func isSensitive(_ settings: MapSettings, _ p: Complex, regime: Regime) -> Bool {
        for ulps in 1...8 {
            let step = Double(ulps)
            let neighbours = [Complex(p.re + step * p.re.ulp, p.im), Complex(p.re - step * p.re.ulp, p.im),
                              Complex(p.re, p.im + step * p.im.ulp), Complex(p.re, p.im - step * p.im.ulp)]
            if neighbours.contains(where: { settings.outcome(at: $0).regime != regime }) { return true }
        }
        return false
    }

    static func isNearThreshold(_ settings: MapSettings, _ reference: PixelOutcome, _ fast: PixelOutcome) -> Bool {
        if Swift.abs(reference.iterations - fast.iterations) <= 1 && reference.iterations < settings.maxIterations
            && fast.iterations < settings.maxIterations { return true }
        func near(_ value: Double?, _ threshold: Double, _ margin: Double) -> Bool {
            guard let value else { return false }
            return Swift.abs(value - threshold) <= margin
        }
        if let s = settings.settings(as: BackpropFlowSettings.self) {
            return near(reference.ring, s.ringTolerance, 1e-6) || near(fast.ring, s.ringTolerance, 1e-6)
        }
        switch settings.kind {
        case .forwardPass:
            return near(reference.lyapunov, 0, 1e-9) || near(fast.lyapunov, 0, 1e-9)
        default:
            // A saturated weight crawls: its steps shrink slowly past 1e-12 * |w|, and which step first crosses
            // depends on the rounding of w_{n+1} - w_n (a cancellation in double, none in fixed point). The two runs
            // then end within a few steps of each other at the same weight, one undecided.
            let stoppedLate = Swift.abs(reference.iterations - fast.iterations) <= settings.maxIterations / 16
            let sameWeight = (reference.finalValue - fast.finalValue).magnitude
                <= 1e-6 * Swift.max(1, reference.finalValue.magnitude)
            return stoppedLate && sameWeight && (reference.regime == .undecided || fast.regime == .undecided)
        }
    }
}
