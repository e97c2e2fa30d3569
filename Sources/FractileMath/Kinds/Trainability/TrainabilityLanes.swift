/// trainability over lanes: sixteen pixels' training runs side by side, the same sums in the same order as
/// `TrainingProblem.lossAndGradients` and `TrainabilitySettings.run`, with `VectorTanh.real` for tanh. The data and
/// initial weights are the same for every pixel, so they are scalars broadcast to the lanes; only the weights,
/// the learning rates and the running sums are per lane. A lane that diverges is refilled with the next pixel.
///
/// State lives in caller-provided buffers (no allocation per pixel): W and its gradient (h*h lanes each), a and its
/// gradient and one point's activations (h lanes each), and e_k (1 - t_kj^2) for every point (n*h lanes): the W
/// gradient then sums over the points in a register per entry instead of a load and store per point, in the same
/// order, so the sums are bit for bit those of `TrainingProblem.lossAndGradients`.
struct TrainabilityLanes: LaneKernel {
    let problem: TrainingProblem
    let h: Int, n: Int
    let steps: Int
    let tailStart: Double
    let divergeLoss: Double
    let inputs: UnsafePointer<Double>, targets: UnsafePointer<Double>
    let w: UnsafeMutablePointer<PixelLanes>, gradientW: UnsafeMutablePointer<PixelLanes>
    let a: UnsafeMutablePointer<PixelLanes>, gradientA: UnsafeMutablePointer<PixelLanes>
    let t: UnsafeMutablePointer<PixelLanes>
    let slopes: UnsafeMutablePointer<PixelLanes>

    var stepW = PixelLanes(), stepA = PixelLanes()
    /// Step index s of the step about to be taken.
    var s = PixelLanes()
    var loss = PixelLanes(), ratioSum = PixelLanes(), tailSum = PixelLanes()
    var diverged = LaneMask()

    /// Lanes of state `TrainabilityLanes` needs for width h and n points: W, dW (h*h each), a, da, t (h each),
    /// e_k (1 - t_kj^2) (n*h).
    static func stateCount(width h: Int, points n: Int) -> Int { 2 * h * h + 3 * h + n * h }

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
        slopes = t + h
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
                slopes[k * h + j] = e * (1 - tj * tj)
            }
        }
        for i in 0..<h {
            for j in 0..<h {
                var sum = PixelLanes()
                for k in 0..<n { sum += inputs[k * h + i] * slopes[k * h + j] }
                gradientW[i * h + j] = sum * a[j]
            }
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

    func outcome(lane: Int) -> PixelOutcome {
        if diverged[lane] {
            let taken = s[lane] - 1
            return PixelOutcome(regime: .diverged, iterations: Int(taken), finalValue: .zero, loss: loss[lane],
                                meanLossRatio: taken > 0 ? ratioSum[lane] / taken : 1)
        }
        let regime: Regime = tailSum[lane] / Double(TrainabilitySettings.tailLength) < 1 ? .converged : .stalled
        return PixelOutcome(regime: regime, iterations: steps, finalValue: .zero, loss: loss[lane],
                            meanLossRatio: ratioSum[lane] / Double(steps))
    }
}

extension TrainabilitySettings {
    /// The outcomes of many pixels through the lane kernel: what tiles use. The data and initial weights are drawn
    /// once per call (microseconds against the training). No allocation per pixel.
    public func fastOutcomes(_ points: UnsafeBufferPointer<Complex>, into outcomes: UnsafeMutableBufferPointer<PixelOutcome>) {
        let problem = TrainingProblem(self)
        problem.inputs.withUnsafeBufferPointer { inputs in
            problem.targets.withUnsafeBufferPointer { targets in
                withUnsafeTemporaryAllocation(of: PixelLanes.self,
                                              capacity: TrainabilityLanes.stateCount(width: problem.width, points: problem.points)) { state in
                    var kernel = TrainabilityLanes(settings: self, problem: problem, inputs: inputs.baseAddress!,
                                                   targets: targets.baseAddress!, state: state.baseAddress!)
                    kernel.run(points, into: outcomes)
                }
            }
        }
    }
}
