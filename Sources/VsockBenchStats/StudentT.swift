/// Student's t distribution, as far as a regression's intervals need it.
public enum StudentT {
    /// The two-sided 95% quantile, t(0.975; dof): a 95% interval is estimate ± this x standard
    /// error. Exact to 6 decimals for 1 to 30 degrees of freedom (the table below, from
    /// scipy.stats.t.ppf(0.975, dof)); above, the Cornish-Fisher expansion in 1/dof around the
    /// normal quantile 1.959964, within 1e-5 of the exact value from 31 on. nil for dof < 1.
    public static func quantile975(degreesOfFreedom dof: Int) -> Double? {
        guard dof >= 1 else { return nil }
        if dof <= table975.count { return table975[dof - 1] }
        let z = 1.959963984540054
        let n = Double(dof)
        let z3 = z * z * z, z5 = z3 * z * z, z7 = z5 * z * z, z9 = z7 * z * z
        return z + (z3 + z) / (4 * n) + (5 * z5 + 16 * z3 + 3 * z) / (96 * n * n)
            + (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / (384 * n * n * n)
            + (79 * z9 + 776 * z7 + 1482 * z5 - 1920 * z3 - 945 * z) / (92160 * n * n * n * n)
    }

    /// t(0.975; dof) for dof = 1...30 (scipy.stats.t.ppf, rounded to 6 decimals).
    static let table975: [Double] = [
        12.706205, 4.302653, 3.182446, 2.776445, 2.570582, 2.446912, 2.364624, 2.306004, 2.262157, 2.228139,
        2.200985, 2.178813, 2.160369, 2.144787, 2.131450, 2.119905, 2.109816, 2.100922, 2.093024, 2.085963,
        2.079614, 2.073873, 2.068658, 2.063899, 2.059539, 2.055529, 2.051831, 2.048407, 2.045230, 2.042272,
    ]
}
