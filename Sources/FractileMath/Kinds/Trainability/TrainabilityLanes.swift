/// trainability over lanes: sixteen pixels' training runs side by side, the same sums in the same order as
/// `TrainingProblem.lossAndGradients` and `TrainabilitySettings.run`, with `VectorTanh.real` for tanh. The data and
/// initial weights are the same for every pixel, so they are scalars broadcast to the lanes; only the weights,
/// the learning rates and the running sums are per lane. A lane that diverges is refilled with the next pixel.
///
/// State lives in caller-provided buffers (no allocation per pixel): W (h*h lanes), a, its gradient and one row
/// of W's gradient (h lanes each), and one n*h buffer that holds sqrt(2) u_kj, then t_kj, then e_k (1 - t_kj^2) for every point.
///
/// A step is three passes over that buffer (preactivations, tanh, the per-point sums) and one over W, rather than
/// one pass per point: the matrix sums then run several entries side by side (each entry still sums in the scalar
/// rule's order, so bit for bit the same), where one sum at a time left the adder waiting on its own latency, and
/// the tanh loop runs over n*h independent values.
struct TrainabilityLanes: LaneKernel {
    let problem: TrainingProblem
    let h: Int, n: Int
    let steps: Int
    let tailStart: Double
    let divergeLoss: Double
    let inputs: UnsafePointer<Double>, targets: UnsafePointer<Double>
    let w: UnsafeMutablePointer<PixelLanes>
    let a: UnsafeMutablePointer<PixelLanes>, gradientA: UnsafeMutablePointer<PixelLanes>
    /// n*h lanes: sqrt(2) u_kj, then t_kj, then e_k (1 - t_kj^2), at [k*h + j].
    let t: UnsafeMutablePointer<PixelLanes>
    /// h lanes: one row of the W gradient's sums.
    let rowSums: UnsafeMutablePointer<PixelLanes>

    var stepW = PixelLanes(), stepA = PixelLanes()
    /// Step index s of the step about to be taken.
    var s = PixelLanes()
    var loss = PixelLanes(), ratioSum = PixelLanes(), tailSum = PixelLanes()
    var diverged = LaneMask()

    /// Lanes of state `TrainabilityLanes` needs for width h and n points: W (h*h), a, da, one row of dW's sums
    /// (h each), the per-point buffer (n*h).
    static func stateCount(width h: Int, points n: Int) -> Int { h * h + 3 * h + n * h }

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
        a = state + h * h
        gradientA = a + h
        rowSums = gradientA + h
        t = rowSums + h
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

    /// One training step s of every lane: L_s and both gradients, the stopping test, then the update (W's while
    /// its gradient is summed: the forward pass is done with it by then). True in the lanes that stopped (diverged
    /// at s, or s = T - 1 taken).
    @inline(never)
    mutating func step() -> LaneMask {
        let h = h, n = n, scale = problem.preactivationScale, outputScale = problem.outputScale
        for k in 0..<n {
            // t[k*h + j] = sqrt(2) u_kj = (sum_i X_ki W_ij) * scale, summed over i in order.
            let row = t + k * h
            Self.sums(h, count: h, row: inputs + k * h, rowStride: 1, columns: w, columnStride: h, into: row)
            for j in 0..<h { row[j] = row[j] * scale }
        }
        for index in 0..<(n * h) { t[index] = VectorTanh.real(t[index]) }
        for j in 0..<h { gradientA[j] = PixelLanes() }
        var squares = PixelLanes()
        for k in 0..<n {
            let row = t + k * h
            var f = PixelLanes()
            for j in 0..<h { f += row[j] * a[j] }
            let e = f * outputScale - targets[k]
            squares += e * e
            for j in 0..<h {
                let tj = row[j]
                gradientA[j] += e * tj
                row[j] = e * (1 - tj * tj)
            }
        }
        loss = squares / Double(n)
        let ratio = loss / problem.initialLoss
        diverged = .!(loss .< .infinity) .| .!(ratio .<= divergeLoss)
        ratioSum = (ratioSum + ratio).replacing(with: ratioSum, where: diverged)
        tailSum += ratio.replacing(with: 0, where: s .< tailStart)
        let stopped = diverged .| (s .== Double(steps - 1))
        for i in 0..<h {
            // dW_ij = (sum_k X_ki e_k (1 - t_kj^2)) a_j, summed over k in order, W_ij stepped at once.
            Self.sums(n, count: h, row: inputs + i, rowStride: h, columns: t, columnStride: h, into: rowSums)
            for j in 0..<h { w[i * h + j] -= stepW * (rowSums[j] * a[j]) }
        }
        for j in 0..<h { a[j] -= stepA * gradientA[j] }
        s += 1
        return stopped
    }

    /// out[j] = sum_m row[m * rowStride] * columns[m * columnStride + j], summed over m in 0..<length in order, for
    /// j in 0..<count. Four j at a time: four independent sums in flight.
    @inline(__always)
    static func sums(_ length: Int, count: Int, row: UnsafePointer<Double>, rowStride: Int,
                     columns: UnsafePointer<PixelLanes>, columnStride: Int, into out: UnsafeMutablePointer<PixelLanes>) {
        var j = 0
        while j &+ 4 <= count {
            var sum0 = PixelLanes(), sum1 = PixelLanes(), sum2 = PixelLanes(), sum3 = PixelLanes()
            var x = row, column = columns + j
            for _ in 0..<length {
                let xm = x.pointee
                sum0 += xm * column[0]
                sum1 += xm * column[1]
                sum2 += xm * column[2]
                sum3 += xm * column[3]
                x += rowStride
                column += columnStride
            }
            out[j] = sum0
            out[j &+ 1] = sum1
            out[j &+ 2] = sum2
            out[j &+ 3] = sum3
            j &+= 4
        }
        while j < count {
            var sum = PixelLanes()
            var x = row, column = columns + j
            for _ in 0..<length {
                sum += x.pointee * column[0]
                x += rowStride
                column += columnStride
            }
            out[j] = sum
            j &+= 1
        }
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
