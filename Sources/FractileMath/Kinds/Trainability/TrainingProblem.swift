#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What every pixel of a trainability map trains on: the data and the initial weights, drawn once from SplitMix64
/// in docs/maps.md's order (X row by row, Y, W row by row, a), plus the constants of the mean-field network.
public struct TrainingProblem: Sendable {
    public let width: Int
    public let points: Int
    /// x[k*h + i] = X_ki.
    public let inputs: [Double]
    /// Y_k.
    public let targets: [Double]
    /// initialW[i*h + j] = W_ij (i input feature, j hidden unit).
    public let initialW: [Double]
    /// a_j.
    public let initialA: [Double]
    /// sqrt(2) / sqrt(h): u_kj = (sum_i X_ki W_ij) / sqrt(h) enters tanh as sqrt(2) u_kj.
    public let preactivationScale: Double
    /// 1 / h: f_k = (sum_j t_kj a_j) / h.
    public let outputScale: Double
    /// L_0, the same for every pixel: r_s = L_s / L_0.
    public private(set) var initialLoss = 0.0

    public init(_ settings: TrainabilitySettings) {
        let h = settings.width, n = settings.pointCount
        width = h
        points = n
        var random = SplitMix64(seed: UInt64(settings.seed))
        inputs = (0..<(n * h)).map { _ in random.normal() }
        targets = (0..<n).map { _ in random.normal() }
        initialW = (0..<(h * h)).map { _ in random.normal() }
        initialA = (0..<h).map { _ in random.normal() }
        preactivationScale = 2.0.squareRoot() / Double(h).squareRoot()
        outputScale = 1 / Double(h)
        var w = initialW, a = initialA, gw = [Double](repeating: 0, count: h * h), ga = [Double](repeating: 0, count: h)
        initialLoss = lossAndGradients(w: &w, a: &a, gradientW: &gw, gradientA: &ga)
    }

    /// The factor that turns sum_k X_ki e_k (1 - t_kj^2) a_j into dL/dW_ij: (2/n) (1/h) sqrt(2)/sqrt(h).
    public var gradientWScale: Double { 2 / Double(points) * outputScale * preactivationScale }
    /// The factor that turns sum_k e_k t_kj into dL/da_j: (2/n) (1/h).
    public var gradientAScale: Double { 2 / Double(points) * outputScale }

    /// L(W, a), and the raw gradient sums: gradientW[i*h + j] = a_j sum_k X_ki e_k (1 - t_kj^2),
    /// gradientA[j] = sum_k e_k t_kj (times `gradientWScale`, `gradientAScale` they are dL/dW, dL/da).
    /// One pass over the points in order; the lane kernel sums in exactly this order.
    func lossAndGradients(w: inout [Double], a: inout [Double], gradientW: inout [Double], gradientA: inout [Double]) -> Double {
        let h = width
        for index in gradientW.indices { gradientW[index] = 0 }
        for index in gradientA.indices { gradientA[index] = 0 }
        var t = [Double](repeating: 0, count: h)
        var squares = 0.0
        for k in 0..<points {
            var f = 0.0
            for j in 0..<h {
                var u = 0.0
                for i in 0..<h { u += inputs[k * h + i] * w[i * h + j] }
                t[j] = tanh(u * preactivationScale)
                f += t[j] * a[j]
            }
            let e = f * outputScale - targets[k]
            squares += e * e
            for j in 0..<h {
                gradientA[j] += e * t[j]
                let d = e * (1 - t[j] * t[j])
                for i in 0..<h { gradientW[i * h + j] += inputs[k * h + i] * d }
            }
        }
        for i in 0..<h {
            for j in 0..<h { gradientW[i * h + j] *= a[j] }
        }
        return squares / Double(points)
    }
}
