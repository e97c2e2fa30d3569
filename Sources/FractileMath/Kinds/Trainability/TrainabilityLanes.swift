/// trainability over lanes: sixteen pixels' training runs side by side, the same sums in the same order as
/// `TrainingProblem.lossAndGradients` and `TrainabilitySettings.run`, with `VectorTanh.real` for tanh. The data and
/// initial weights are the same for every pixel, so they are scalars broadcast to the lanes; only the weights,
/// the learning rates and the running sums are per lane. A lane that diverges is refilled with the next pixel.
///
/// State lives in caller-provided buffers (no allocation per pixel): W and its gradient (h*h lanes each), a and its
/// gradient and one point's activations (h lanes each).
struct TrainabilityLanes {
    let problem: TrainingProblem
    let h: Int, n: Int
    let steps: Int
    let tailStart: Double
    let divergeLoss: Double
    let inputs: UnsafePointer<Double>, targets: UnsafePointer<Double>
    let w: UnsafeMutablePointer<PixelLanes>, gradientW: UnsafeMutablePointer<PixelLanes>
    let a: UnsafeMutablePointer<PixelLanes>, gradientA: UnsafeMutablePointer<PixelLanes>
    let t: UnsafeMutablePointer<PixelLanes>

    var stepW = PixelLanes(), stepA = PixelLanes()
    /// Step index s of the step about to be taken.
    var s = PixelLanes()
    var loss = PixelLanes(), ratioSum = PixelLanes(), tailSum = PixelLanes()
    var diverged = LaneMask()

    /// Lanes of state `TrainabilityLanes` needs for width h: W, dW (h*h each), a, da, t (h each).
    static func stateCount(width h: Int) -> Int { 2 * h * h + 3 * h }

    init(settings: TrainabilitySettings, problem: TrainingProblem, inputs: UnsafePointer<Double>,
         targets: UnsafePointer<Double>, state: UnsafeMutablePointer<PixelLanes>) {
        self.problem = problem
        h = problem.width
        n = problem.points
        steps = settings.maxIterations
        tailStart = Double(settings.maxIterations - TrainabilitySettings.tailLength)
        divergeLoss = settings.divergeLoss
        self.inputs = inputs
        self.targets = targets
        w = state
        gradientW = state + h * h
        a = state + 2 * h * h
        gradientA = a + h
        t = gradientA + h
    }

    mutating func load(lane: Int, at p: Complex) {
        let (eta1, eta2) = TrainabilitySettings.learningRates(at: p)
        stepW[lane] = eta1 * problem.gradientWScale
        stepA[lane] = eta2 * problem.gradientAScale
        for index in 0..<(h * h) { w[index][lane] = problem.initialW[index] }
        for j in 0..<h { a[j][lane] = problem.initialA[j] }
        s[lane] = 0
        ratioSum[lane] = 0
        tailSum[lane] = 0
    }

    /// One training step s of every lane: L_s and both gradients in one pass over the points, the stopping test,
    /// then the update. True in the lanes that stopped (diverged at s, or s = T - 1 taken).
    @inline(__always)
    mutating func step() -> LaneMask {
        let h = h, scale = problem.preactivationScale, outputScale = problem.outputScale
        for index in 0..<(h * h) { gradientW[index] = PixelLanes() }
        for j in 0..<h { gradientA[j] = PixelLanes() }
        var squares = PixelLanes()
        for k in 0..<n {
            let x = inputs + k * h
            var f = PixelLanes()
            for j in 0..<h {
                var u = PixelLanes()
                for i in 0..<h { u += x[i] * w[i * h + j] }
                let tj = VectorTanh.real(u * scale)
                t[j] = tj
                f += tj * a[j]
            }
            let e = f * outputScale - targets[k]
            squares += e * e
            for j in 0..<h {
                let tj = t[j]
                gradientA[j] += e * tj
                let d = e * (1 - tj * tj)
                for i in 0..<h { gradientW[i * h + j] += x[i] * d }
            }
        }
        for i in 0..<h {
            for j in 0..<h { gradientW[i * h + j] *= a[j] }
        }
        loss = squares / Double(n)
        let ratio = loss / problem.initialLoss
        diverged = .!(loss .< .infinity) .| .!(ratio .<= divergeLoss)
        ratioSum = (ratioSum + ratio).replacing(with: ratioSum, where: diverged)
        tailSum += ratio.replacing(with: 0, where: s .< tailStart)
        let stopped = diverged .| (s .== Double(steps - 1))
        for index in 0..<(h * h) { w[index] -= stepW * gradientW[index] }
        for j in 0..<h { a[j] -= stepA * gradientA[j] }
        s += 1
        return stopped
    }

    func outcome(lane: Int) -> TrainabilityOutcome {
        if diverged[lane] {
            let taken = s[lane] - 1
            return TrainabilityOutcome(regime: .diverged, iterations: Int(taken), loss: loss[lane],
                                       meanRatio: taken > 0 ? ratioSum[lane] / taken : 1)
        }
        let regime: TrainabilityOutcome.Regime =
            tailSum[lane] / Double(TrainabilitySettings.tailLength) < 1 ? .converged : .stalled
        return TrainabilityOutcome(regime: regime, iterations: steps, loss: loss[lane],
                                   meanRatio: ratioSum[lane] / Double(steps))
    }
}

extension TrainabilitySettings {
    /// The outcomes of many pixels through the lane kernel: what tiles use. Regimes agree with `outcome(_:at:)`
    /// except where a few ulps decide (see the agreement tests). No allocation per pixel.
    public func fastOutcomes(_ problem: TrainingProblem, _ points: UnsafeBufferPointer<Complex>,
                             into outcomes: UnsafeMutableBufferPointer<TrainabilityOutcome>) {
        precondition(outcomes.count >= points.count, "one outcome per point")
        problem.inputs.withUnsafeBufferPointer { inputs in
            problem.targets.withUnsafeBufferPointer { targets in
                withUnsafeTemporaryAllocation(of: PixelLanes.self,
                                              capacity: TrainabilityLanes.stateCount(width: problem.width)) { state in
                    var kernel = TrainabilityLanes(settings: self, problem: problem, inputs: inputs.baseAddress!,
                                                   targets: targets.baseAddress!, state: state.baseAddress!)
                    var pixelOfLane = LaneIndices(repeating: -1)
                    var active = LaneMask(repeating: false)
                    var next = 0
                    for lane in 0..<PixelLanes.scalarCount {
                        // Idle lanes train a harmless pixel (eta 1, 1) and are masked out.
                        kernel.load(lane: lane, at: next < points.count ? points[next] : .zero)
                        if next < points.count {
                            pixelOfLane[lane] = next
                            active[lane] = true
                            next += 1
                        }
                    }
                    while any(active) {
                        let stopped = kernel.step() .& active
                        guard any(stopped) else { continue }
                        for lane in 0..<PixelLanes.scalarCount where stopped[lane] {
                            outcomes[pixelOfLane[lane]] = kernel.outcome(lane: lane)
                            kernel.load(lane: lane, at: next < points.count ? points[next] : .zero)
                            if next < points.count {
                                pixelOfLane[lane] = next
                                next += 1
                            } else {
                                active[lane] = false
                            }
                        }
                    }
                }
            }
        }
    }
}
